// Keyword-argument diagnostics on .click documents (core/params/checkParameters): unknown keywords,
// missing mandatory arguments, repeats and values of the wrong type, for classes whose parameter
// list is complete. A misspelled keyword carries its replacement for the quick fix (codeActions).
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { checkParameters } from '../core/params/checkParameters';
import type { ServerContext } from './context';
import { registerDiagnosticProvider } from './diagnostics';
import { toLspRange } from './lspPositions';
import { lineIndexOf } from '../core/click/modelLines';
import { getElementIndexService } from './elementIndexService';
import type { Feature } from './features';
import { flowAnalysis } from './flowAnalysis';

export interface ParameterDiagnosticData {
  replacement?: string;
}

export function parameterDiagnosticsFeature(ctx: ServerContext): Feature {
  const flows = flowAnalysis(ctx);
  const index = getElementIndexService(ctx);
  registerDiagnosticProvider(ctx, (_uri, model) => {
    // Before the first index pass no list is known; the flow service republishes when it is ready.
    if (!flows.indexReady()) return [];
    return checkParameters(model, (name) => index.parameters(name)).map((p): Diagnostic => ({
      range: toLspRange(lineIndexOf(model), p.range),
      severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      message: p.message,
      code: p.code,
      source: 'flowmage',
      data: { replacement: p.replacement } satisfies ParameterDiagnosticData,
    }));
  });
  return {};
}
