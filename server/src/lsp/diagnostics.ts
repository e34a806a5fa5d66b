// Publishes diagnostics for .click documents: the parse problems of the ConfigModel plus whatever
// other modules add through registerDiagnosticProvider (flow analysis, RSS checks, ...). Publishing
// waits for a pause in typing so a burst of edits gives one update.
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver/node';
import type { Feature } from './features';
import type { ServerContext } from './context';
import { clickDocuments } from './clickDocuments';
import type { ClickProblem, ConfigModel } from '../core/click/model';
import type { LineIndex } from '../core/text';
import { toLspRange } from './lspPositions';
import { lineIndexOf } from '../core/click/modelLines';
import { describeError } from '../core/log';

/** Adds diagnostics for a .click document from its model; may be async. Must not throw (errors are logged). */
export type DiagnosticProvider = (uri: string, model: ConfigModel) => Diagnostic[] | Promise<Diagnostic[]>;

interface Registry {
  providers: Set<DiagnosticProvider>;
  /** Re-publishes a document now (providers whose inputs changed call this). */
  refresh(uri?: string): void;
}

const registries = new WeakMap<ServerContext, Registry>();

/** Milliseconds without edits before diagnostics are published. */
export const DIAGNOSTICS_DELAY_MS = 200;

function registry(ctx: ServerContext): Registry {
  let reg = registries.get(ctx);
  if (!reg) {
    reg = { providers: new Set(), refresh: () => undefined };
    registries.set(ctx, reg);
  }
  return reg;
}

/** Registers a provider; returns a function that removes it. */
export function registerDiagnosticProvider(ctx: ServerContext, provider: DiagnosticProvider): () => void {
  const reg = registry(ctx);
  reg.providers.add(provider);
  reg.refresh();
  return () => {
    reg.providers.delete(provider);
    reg.refresh();
  };
}

/** Asks for diagnostics of one document (or all open .click documents) to be computed again. */
export function refreshDiagnostics(ctx: ServerContext, uri?: string): void {
  registry(ctx).refresh(uri);
}

const SEVERITY: Record<ClickProblem['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function problemToDiagnostic(uri: string, lines: LineIndex, p: ClickProblem): Diagnostic {
  const d: Diagnostic = { range: toLspRange(lines, p.range), severity: SEVERITY[p.severity], message: p.message, code: p.code, source: 'flowmage' };
  if (p.related?.length) {
    d.relatedInformation = p.related.map((r): DiagnosticRelatedInformation => ({ location: { uri, range: toLspRange(lines, r.range) }, message: r.message }));
  }
  return d;
}

export function diagnosticsFeature(ctx: ServerContext): Feature {
  const docs = clickDocuments(ctx);
  const reg = registry(ctx);
  const timers = new Map<string, NodeJS.Timeout>();
  /** Bumped on every schedule so a slow provider's result for an old model is dropped. */
  const generation = new Map<string, number>();

  const publish = async (uri: string) => {
    const gen = (generation.get(uri) ?? 0) + 1;
    generation.set(uri, gen);
    const model = await docs.ensure(uri);
    if (!model) return;
    const diagnostics = model.problems.map((p) => problemToDiagnostic(uri, lineIndexOf(model), p));
    for (const provider of reg.providers) {
      try {
        diagnostics.push(...(await provider(uri, model)));
      } catch (err) {
        ctx.log.error(`diagnostic provider failed for ${uri}: ${describeError(err)}`);
      }
    }
    if (generation.get(uri) !== gen || !ctx.documents.get(uri)) return;
    await ctx.connection.sendDiagnostics({ uri, diagnostics });
  };

  const schedule = (uri: string, delay: number) => {
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        publish(uri).catch((err) => ctx.log.error(`publishing diagnostics for ${uri} failed: ${describeError(err)}`));
      }, delay),
    );
  };

  reg.refresh = (uri?: string) => {
    for (const d of ctx.documents.all()) if ((!uri || d.uri === uri) && docs.isClick(d.uri)) schedule(d.uri, 0);
  };

  // Opening a document publishes at once; edits wait for a pause. TextDocuments fires a content
  // change right after each open, which must not delay that first publish.
  const justOpened = new Set<string>();
  ctx.documents.onDidOpen((e) => {
    if (!docs.isClick(e.document.uri)) return;
    justOpened.add(e.document.uri);
    schedule(e.document.uri, 0);
  });
  ctx.documents.onDidChangeContent((e) => {
    if (!docs.isClick(e.document.uri) || justOpened.delete(e.document.uri)) return;
    schedule(e.document.uri, DIAGNOSTICS_DELAY_MS);
  });
  docs.onDidClose((uri) => {
    justOpened.delete(uri);
    clearTimeout(timers.get(uri));
    timers.delete(uri);
    generation.delete(uri);
    void ctx.connection.sendDiagnostics({ uri, diagnostics: [] });
  });

  return {
    shutdown() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
