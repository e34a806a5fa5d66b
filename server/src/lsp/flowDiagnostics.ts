// Flow-key diagnostics on .click documents: disjoint keys between stateful elements of a chain,
// shared-nothing settings that break a flow, hints where a better plan exists, classes the index
// cannot find and disagreements between static analysis and the LLM.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding } from '../core/chains/analyzeConfig';
import type { ServerContext } from './context';
import { registerDiagnosticProvider } from './diagnostics';
import { toLspRange } from './lspPositions';
import { lineIndexOf } from '../core/click/modelLines';
import type { Feature } from './features';
import { flowAnalysis } from './flowAnalysis';
import { getElementIndexService } from './elementIndexService';

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Codes whose quick fix is "Optimize chain". */
export const OPTIMIZABLE_CODES = new Set(['disjoint-keys', 'better-plan', 'unsafe-shared-nothing', 'chain-note']);

export function flowDiagnosticsFeature(ctx: ServerContext): Feature {
  const flows = flowAnalysis(ctx);
  const index = getElementIndexService(ctx);
  registerDiagnosticProvider(ctx, async (uri) => {
    // Before the first index pass every class would look unknown: wait for it (the service
    // republishes when it is ready).
    if (!flows.indexReady()) return [];
    const result = await flows.analysis(uri);
    if (!result) return [];
    const { analysis } = result;
    const lines = lineIndexOf(result.model);
    // With no element sources at all, "not in the index" would flag every class; hovers say it instead.
    const indexEmpty = index.elements().length === 0;
    return analysis.findings
      .filter((f) => !(indexEmpty && f.code === 'unknown-class'))
      .map((f): Diagnostic => ({
        range: toLspRange(lines, f.range),
        severity: SEVERITY[f.severity],
        message: f.message,
        code: f.code,
        source: 'flowmage',
        relatedInformation: f.related.map((r) => ({ location: { uri, range: toLspRange(lines, r.range) }, message: r.message })),
        // The quick fix applies the whole plan; only offer it when the plan changes something.
        data: { optimizable: f.fixedByPlan || (OPTIMIZABLE_CODES.has(f.code) && analysis.edits.length > 0) },
      }));
  });
  return {};
}
