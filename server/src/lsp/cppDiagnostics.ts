// Warnings in C++ files where the static analysis and the LLM disagree about an element: on the
// class name, naming both answers, what the solver uses, and the static evidence for the feature.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { LineIndex } from '../core/text';
import type { ServerContext } from './context';
import { toLspRange } from './lspPositions';
import { getElementIndexService } from './elementIndexService';
import type { Feature } from './features';
import { isCppDocument } from './providers';

export function cppDiagnosticsFeature(ctx: ServerContext): Feature {
  const index = getElementIndexService(ctx);
  const model = () => ctx.settings().llm.model;

  const diagnosticsFor = (path: string): Diagnostic[] => {
    const out: Diagnostic[] = [];
    for (const t of index.elementsInFile(path)) {
      const merged = index.features(t.info.clickName, model());
      if (!merged?.disagreements.length) continue;
      const lines = new LineIndex(index.tracker?.index.text(path) ?? '');
      const range = lines.range(t.info.cls.nameStart, t.info.cls.nameEnd);
      for (const d of merged.disagreements) {
        const evidence = t.features.evidence.filter((e) => e.feature === d.feature).slice(0, 3);
        out.push({
          range: toLspRange(lines, range),
          severity: DiagnosticSeverity.Warning,
          source: 'flowmage',
          code: 'features-disagree',
          message: `${t.info.clickName}: static analysis says ${d.feature} = ${d.staticValue}, the LLM (${merged.sources.filter((s) => s.startsWith('llm:')).join(', ')}) says ${d.llmValue}; ${d.resolution}`,
          relatedInformation: evidence.map((e) => ({
            location: { uri: pathToFileURL(e.file).href, range: { start: { line: e.line, character: e.column }, end: { line: e.endLine, character: e.endColumn } } },
            message: e.reason,
          })),
        });
      }
    }
    return out;
  };

  const publish = (uri: string) => {
    if (!uri.startsWith('file:')) return;
    void ctx.connection.sendDiagnostics({ uri, diagnostics: diagnosticsFor(fileURLToPath(uri)) });
  };
  const publishOpen = () => {
    for (const d of ctx.documents.all()) if (isCppDocument(d.uri, d.languageId)) publish(d.uri);
  };
  ctx.documents.onDidOpen((e) => {
    if (isCppDocument(e.document.uri, e.document.languageId)) void index.ready().then(() => publish(e.document.uri));
  });
  ctx.documents.onDidClose((e) => {
    if (isCppDocument(e.document.uri, e.document.languageId)) void ctx.connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
  index.onDidChangeFeatures(publishOpen);
  ctx.onSettingsChanged(publishOpen);
  return {};
}
