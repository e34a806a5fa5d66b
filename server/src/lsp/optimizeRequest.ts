// `flowmage/optimize`: the edit that applies the plan to a document and a short summary of what
// changes and why, for the client's "FlowMage: Optimize Chain" command (and any other client). It
// waits for the element index under way (cancelling the request stops the wait).
import { planSummary } from '../core/chains/summary';
import { guard, type ServerContext } from './context';
import { clientFileOperations, NO_FILE_CREATION, workspaceEditFor } from './codeActions';
import { lineIndexOf } from '../core/click/modelLines';
import type { Feature } from './features';
import { flowAnalysis } from './flowAnalysis';
import { getElementIndexService } from './elementIndexService';
import { OptimizeRequest, type OptimizeResult } from '../protocol';

export function optimizeRequestFeature(ctx: ServerContext): Feature {
  const flows = flowAnalysis(ctx);
  const index = getElementIndexService(ctx);
  ctx.connection.onRequest(
    OptimizeRequest.type,
    guard(
      ctx,
      OptimizeRequest.method,
      { edit: null, changes: 0, summary: [], message: 'FlowMage could not analyze this document (see the log)' } as OptimizeResult,
      async (params): Promise<OptimizeResult> => {
        // A rewrite is planned on the whole index: during the first one, an element's sibling may
        // not be analyzed yet, and the plan would miss the class swap it makes once it is.
        await index.ready();
        const result = await flows.analysis(params.uri);
        if (!result) return { edit: null, changes: 0, summary: [], message: 'not a .click document' };
        const { model, analysis } = result;
        if (model.problems.some((p) => p.severity === 'error')) {
          return { edit: null, changes: 0, summary: [], message: 'the configuration has syntax errors; fix them before optimizing' };
        }
        const summary = planSummary(analysis);
        const changes = analysis.edits.length + analysis.fileChanges.length;
        if (changes === 0) return { edit: null, changes: 0, summary, message: 'the configuration already matches the optimized plan' };
        const edit = workspaceEditFor(params.uri, ctx.documents.get(params.uri)?.version, analysis, lineIndexOf(model), clientFileOperations(ctx).create);
        if (!edit) return { edit: null, changes: 0, summary, message: NO_FILE_CREATION };
        return { edit, changes, summary };
      },
    ),
  );
  return {};
}
