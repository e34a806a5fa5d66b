// The flow analysis of each open .click document (chains, plans, findings, edits), computed from
// its ConfigModel and the element index, cached until the model, the features or the settings
// change. Hover, diagnostics, code actions and the optimize command all read it from here.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyzeConfig, type ConfigAnalysis } from '../core/chains/analyzeConfig';
import { analyzeOptions } from '../config/coreOptions';
import type { ConfigModel } from '../core/click/model';
import { describeError } from '../core/log';
import { clickDocuments } from './clickDocuments';
import { perServer, type ServerContext } from './context';
import { refreshDiagnostics } from './diagnostics';
import { getElementIndexService } from './elementIndexService';
import { traceInput } from './traceInput';

export interface FlowAnalysisService {
  /** The analysis of the document's current model; undefined for non-Click documents. */
  analysis(uri: string): Promise<{ model: ConfigModel; analysis: ConfigAnalysis } | undefined>;
  /** Whether the element index has finished its first pass (before that, classes look unknown). */
  indexReady(): boolean;
  /** Hooks the LLM's complexity comparison into tie-breaking (set by the LLM service). */
  setComplexityComparator(compare: ((a: string, b: string) => Promise<string | null>) | undefined): void;
  /** Drops cached analyses (features or settings changed) and republishes diagnostics. */
  invalidate(): void;
}

/** The file behind a `file:` URI; undefined for untitled and other schemes (no rules file beside them). */
function filePath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

/** An open document's text, else the file on disk, else undefined. */
function readText(ctx: ServerContext, path: string): string | undefined {
  const open = ctx.documents.get(pathToFileURL(path).toString());
  if (open) return open.getText();
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export const flowAnalysis: (ctx: ServerContext) => FlowAnalysisService = perServer(create);

function create(ctx: ServerContext): FlowAnalysisService {
  const docs = clickDocuments(ctx);
  const index = getElementIndexService(ctx);
  const traces = traceInput(ctx);
  let generation = 0;
  let ready = false;
  let comparator: ((a: string, b: string) => Promise<string | null>) | undefined;
  const cache = new Map<string, { model: ConfigModel; generation: number; result: Promise<ConfigAnalysis> }>();

  const service: FlowAnalysisService = {
    async analysis(uri) {
      const model = await docs.ensure(uri);
      if (!model) return undefined;
      const hit = cache.get(uri);
      if (hit && hit.model === model && hit.generation === generation) return { model, analysis: await hit.result };
      const settings = ctx.settings();
      const trace = traces.current();
      const result = trace.then(({ trace, problem }) =>
        analyzeConfig(model, {
          ...analyzeOptions(settings, (name) => index.lookup(name, settings.llm.model), comparator),
          configPath: filePath(uri),
          readFile: (path) => readText(ctx, path),
          ...(trace ? { trace } : {}),
          ...(problem ? { traceProblem: problem } : {}),
        }),
      );
      cache.set(uri, { model, generation, result });
      result.catch((err) => {
        ctx.log.error(`flow analysis of ${uri} failed: ${describeError(err)}`);
        cache.delete(uri);
      });
      return { model, analysis: await result };
    },
    indexReady: () => ready,
    setComplexityComparator(compare) {
      comparator = compare;
      service.invalidate();
    },
    invalidate() {
      generation++;
      refreshDiagnostics(ctx);
    },
  };

  void index.ready().then(() => {
    ready = true;
    service.invalidate();
  });
  index.onDidChangeFeatures(() => service.invalidate());
  ctx.onSettingsChanged(() => service.invalidate());
  docs.onDidClose((uri) => cache.delete(uri));
  return service;
}
