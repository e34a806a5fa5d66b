// `flowmage/chainGraph`: the chain view's data for a .click document (core/chains/chainGraph), with
// per-queue loads when a trace is given; and a CodeLens on each input device that opens the view, for
// clients that implement the `flowmage.showChain` command.
import type { CodeLens, CodeLensParams } from 'vscode-languageserver/node';
import { addTraceLoads, chainGraphs, type ChainGraph } from '../core/chains/chainGraph';
import { lineIndexOf } from '../core/click/modelLines';
import type { LineIndex } from '../core/text';
import { isClickDocument } from './clickDocuments';
import { guard, type ServerContext } from './context';
import { getElementIndexService } from './elementIndexService';
import { toLspRange } from './lspPositions';
import { traceInput } from './traceInput';
import type { Feature } from './features';
import { flowAnalysis } from './flowAnalysis';
import { registerCodeLensProvider } from './providers';
import { ChainGraphRequest, SHOW_CHAIN_COMMAND, type ChainGraphParams, type ChainGraphResult, type InitializationOptions, type LspChainGraph } from '../protocol';

/** How long a request waits for the element index's first pass (before it, every class looks unknown). */
const INDEX_WAIT_MS = 5000;

export function chainGraphFeature(ctx: ServerContext): Feature {
  const flows = flowAnalysis(ctx);
  let canShowChain = false;

  ctx.connection.onRequest(
    ChainGraphRequest.type,
    guard(
      ctx,
      ChainGraphRequest.method,
      { chains: [], indexReady: true, message: 'FlowMage could not build the chain graph (see the log)' } as ChainGraphResult,
      async (params: ChainGraphParams): Promise<ChainGraphResult> => {
        if (!params || typeof params.uri !== 'string') return { chains: [], indexReady: true, message: 'the request needs the URI of a .click document' };
        const indexReady = await waitForIndex(ctx);
        const result = await flows.analysis(params.uri);
        if (!result) return { chains: [], indexReady, message: 'not an open .click document' };
        let graphs = chainGraphs(result.analysis);
        const message = result.model.problems.some((p) => p.severity === 'error')
          ? 'the configuration has syntax errors; the graph may be incomplete'
          : graphs.length
            ? undefined
            : 'no chain: no input device (From...) feeds any element';
        let trace: ChainGraphResult['trace'];
        const explicit = typeof params.trace === 'string' && params.trace ? params.trace : undefined;
        if (explicit) {
          // A capture named in the request is simulated here for the view only (the plan stays as it is).
          const load = await traceInput(ctx).read(explicit);
          if (!load.read) trace = { file: explicit, error: load.problem ?? 'no capture' };
          else {
            graphs = addTraceLoads(graphs, load.read, ctx.settings().solver.nicProfile);
            trace = { file: explicit };
          }
        } else {
          // flowmage.solver.trace: the solver already weighed it, and the graph carries its loads.
          const setting = ctx.settings().solver.trace.trim();
          if (setting) {
            const load = await traceInput(ctx).current();
            trace = load.problem ? { file: setting, error: load.problem } : { file: setting };
          }
        }
        const lines = lineIndexOf(result.model);
        return { chains: graphs.map((g) => toLsp(g, lines)), indexReady, ...(message ? { message } : {}), ...(trace ? { trace } : {}) };
      },
    ),
  );

  // A lens above each input device: "Show chain" with the chain's element count (the plan may still change
  // while the index fills, so the title names nothing the plan decides).
  registerCodeLensProvider(ctx, isClickDocument, async (params: CodeLensParams): Promise<CodeLens[]> => {
    if (!canShowChain) return [];
    const result = await flows.analysis(params.textDocument.uri);
    if (!result) return [];
    const lenses: CodeLens[] = [];
    const seen = new Set<number>();
    for (const c of result.analysis.chains) {
      const decl = c.chain.input.decl;
      // A device declared once in a compound used twice gets one lens (for its first chain).
      if (seen.has(decl.declarationRange.startOffset)) continue;
      seen.add(decl.declarationRange.startOffset);
      const range = toLspRange(lineIndexOf(result.model), decl.declarationRange);
      lenses.push({
        range: { start: range.start, end: range.start },
        command: {
          title: `FlowMage: Show chain (${c.elements.length} element${c.elements.length === 1 ? '' : 's'})`,
          command: SHOW_CHAIN_COMMAND,
          arguments: [params.textDocument.uri, c.chain.input.id],
        },
      });
    }
    return lenses;
  });

  return {
    capabilities: (params) => {
      const commands = (params.initializationOptions as InitializationOptions | null | undefined)?.clientCommands;
      canShowChain = Array.isArray(commands) && commands.includes(SHOW_CHAIN_COMMAND);
      return { codeLensProvider: { resolveProvider: false } };
    },
  };
}

async function waitForIndex(ctx: ServerContext): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((res) => (timer = setTimeout(() => res(false), INDEX_WAIT_MS)));
  try {
    return await Promise.race([
      getElementIndexService(ctx)
        .ready()
        .then(() => true),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function toLsp(g: ChainGraph, lines: LineIndex): LspChainGraph {
  return { ...g, nodes: g.nodes.map((n) => ({ ...n, range: toLspRange(lines, n.range) })) };
}
