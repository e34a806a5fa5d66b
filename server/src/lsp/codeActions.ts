// "Optimize chain": a `source` action on any .click document whose plan changes something, and
// the quick fix on the flow diagnostics it resolves. Both apply the plan's edits.
import { pathToFileURL } from 'node:url';
import { CodeActionKind, CreateFile, TextDocumentEdit, TextEdit, type CodeAction, type CodeActionParams, type Diagnostic, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { ConfigAnalysis } from '../core/chains/analyzeConfig';
import { planTitle } from '../core/chains/summary';
import { isClickDocument } from './clickDocuments';
import { guard, perServer, type ServerContext } from './context';
import { toLspRange } from './lspPositions';
import { lineIndexOf } from '../core/click/modelLines';
import type { LineIndex } from '../core/text';
import type { Feature } from './features';
import { flowAnalysis } from './flowAnalysis';
import type { ParameterDiagnosticData } from './parameterDiagnostics';

export const OPTIMIZE_KIND = `${CodeActionKind.Source}.flowmage.optimizeChain`;

/** Whether the client applies `CreateFile` in workspace edits (told at initialize). */
export const clientFileOperations = perServer(() => ({ create: false }));

/** Why an edit that needs new files cannot be sent to this client. */
export const NO_FILE_CREATION =
  'the plan writes a DPDK flow rules file, but this editor cannot create files from a workspace edit (resourceOperations "create"); run `flowmage optimize --write` instead';

/**
 * The plan's edits, with the rules files it creates or replaces in the same edit (a `CreateFile`
 * that overwrites, then the text). Null when files are needed and the client cannot create them.
 */
export function workspaceEditFor(uri: string, version: number | undefined, analysis: ConfigAnalysis, lines: LineIndex, canCreateFiles = true): WorkspaceEdit | null {
  const edits = analysis.edits.map((e) => ({ range: toLspRange(lines, e.range), newText: e.newText }));
  if (analysis.fileChanges.length === 0) {
    return version === undefined ? { changes: { [uri]: edits } } : { documentChanges: [{ textDocument: { uri, version }, edits }] };
  }
  if (!canCreateFiles) return null;
  const files = analysis.fileChanges.flatMap((f) => {
    const fileUri = pathToFileURL(f.path).toString();
    return [CreateFile.create(fileUri, { overwrite: true }), TextDocumentEdit.create({ uri: fileUri, version: null }, [TextEdit.insert({ line: 0, character: 0 }, f.content)])];
  });
  return { documentChanges: [...files, TextDocumentEdit.create({ uri, version: version ?? null }, edits)] };
}

export function codeActionsFeature(ctx: ServerContext): Feature {
  const flows = flowAnalysis(ctx);
  ctx.connection.onCodeAction(
    guard(ctx, 'codeAction', [] as CodeAction[], async (params: CodeActionParams) => {
      const uri = params.textDocument.uri;
      const doc = ctx.documents.get(uri);
      if (!isClickDocument(uri, doc?.languageId)) return [];
      const actions: CodeAction[] = [];
      const only = params.context.only;
      const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
      // A class the index cannot find: the fix is to tell FlowMage where its sources are.
      const unknown = params.context.diagnostics.filter((d) => d.source === 'flowmage' && d.code === 'unknown-class');
      if (unknown.length && wants(CodeActionKind.QuickFix)) {
        actions.push({
          title: 'Add element sources (flowmage.sourcePaths)',
          kind: CodeActionKind.QuickFix,
          diagnostics: unknown,
          command: { title: 'Open settings', command: 'workbench.action.openSettings', arguments: ['flowmage.sourcePaths'] },
        });
      }
      // A misspelled keyword: replace it with the one the class reads.
      if (wants(CodeActionKind.QuickFix)) {
        for (const d of params.context.diagnostics) {
          const replacement = d.source === 'flowmage' && d.code === 'unknown-argument' ? (d.data as ParameterDiagnosticData | undefined)?.replacement : undefined;
          if (!replacement) continue;
          const edits = [{ range: d.range, newText: replacement }];
          actions.push({
            title: `Change to \`${replacement}\``,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            isPreferred: true,
            edit: doc ? { documentChanges: [{ textDocument: { uri, version: doc.version }, edits }] } : { changes: { [uri]: edits } },
          });
        }
      }
      const result = await flows.analysis(uri);
      if (!result || (result.analysis.edits.length === 0 && result.analysis.fileChanges.length === 0)) return actions;
      // The rewrite must leave a configuration that parses; never build on a broken one.
      if (result.model.problems.some((p) => p.severity === 'error')) return actions;
      // Edits computed for an older text would land in the wrong place.
      if (doc && result.model.text !== doc.getText()) return actions;
      const edit = workspaceEditFor(uri, doc?.version, result.analysis, lineIndexOf(result.model), clientFileOperations(ctx).create);
      if (!edit) return actions;
      const title = planTitle(result.analysis);
      const fixable = params.context.diagnostics.filter((d: Diagnostic) => d.source === 'flowmage' && (d.data as { optimizable?: boolean } | undefined)?.optimizable);
      if (fixable.length && wants(CodeActionKind.QuickFix)) {
        actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: fixable, edit, isPreferred: fixable.some((d) => d.code === 'unsafe-shared-nothing') });
      }
      if (wants(OPTIMIZE_KIND)) actions.push({ title, kind: OPTIMIZE_KIND, edit });
      return actions;
    }),
  );
  return {
    capabilities: (params) => {
      const ws = params.capabilities.workspace?.workspaceEdit;
      clientFileOperations(ctx).create = !!ws?.documentChanges && !!ws.resourceOperations?.includes('create');
      return { codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, OPTIMIZE_KIND] } };
    },
  };
}
