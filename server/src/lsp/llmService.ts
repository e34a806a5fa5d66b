// Runs the LLM extractor inside the server, only when enabled, trusted and keyed: after a save of
// an element's C++ file changed the element's code slice (the slice's hash against the one seen
// before, never a flag: a save that changes nothing, or a settings change, sends nothing), on
// opening a .click file whose elements have no answer yet, and on request for the whole tree
// (`flowmage/analyzeElements`, with progress and cancellation). Also hooks the LLM complexity
// comparison into the solver's tie-break: requests read stored answers only and never wait on the
// network; missing pairs are asked by a background job that publishes its answers (the analyses
// are recomputed, diagnostics republished).
import { fileURLToPath } from 'node:url';
import { MessageType, type CancellationToken } from 'vscode-languageserver/node';
import { isCppSource } from '../core/cpp/sourceFiles';
import { API_KEY_ENV } from '../core/llm/apiKeyEnv';
import { LlmClient } from '../core/llm/client';
import { describeEndpoint, type Endpoint } from '../core/llm/endpoint';
import { LlmAnalyzer, type ExtractManyResult } from '../core/llm/llmAnalyzer';
import { llmSettings } from '../config/coreOptions';
import { describeError } from '../core/log';
import { clickDocuments } from './clickDocuments';
import { guard, perServer, type ServerContext } from './context';
import { getElementIndexService } from './elementIndexService';
import type { Feature } from './features';
import { flowAnalysis } from './flowAnalysis';
import { AnalyzeElementsRequest, type AnalyzeElementsResult, type LlmStatus } from '../protocol';

/** The LLM's status for `flowmage/status`, filled in by the LLM feature. */
export const llmStatus = perServer<{ current: () => LlmStatus | undefined }>(() => ({ current: () => undefined }));

export function llmFeature(ctx: ServerContext): Feature {
  const index = getElementIndexService(ctx);
  const flows = flowAnalysis(ctx);
  const docs = clickDocuments(ctx);
  const apiKey = () => process.env[API_KEY_ENV] || undefined;
  const settings = () => llmSettings(ctx.settings());
  /** Endpoints from workspace settings need the user's consent (asked by the client). */
  const endpointBlocked = (e: Endpoint): string | undefined => {
    const allowed = ctx.allowedLlmOrigins();
    if (!allowed || e.isDefault || e.isLocal || allowed.includes(e.origin)) return undefined;
    return `LLM analysis is enabled, but you have not allowed FlowMage to send element code and your API key to ${e.host} (flowmage.llm.baseUrl from the workspace settings), so nothing is sent there. FlowMage runs on static analysis alone.`;
  };
  const client = new LlmClient(settings, apiKey, ctx.log, undefined, endpointBlocked);
  /** `gpt-4o at api.openai.com`: every message that names the model names where it goes too. */
  const target = () => `${settings().model} at ${describeEndpoint(settings().baseUrl)?.host ?? settings().baseUrl}`;
  const analyzer = new LlmAnalyzer(() => index.tracker, client, settings, ctx.log);
  const told = new Set<string>();
  llmStatus(ctx).current = () => {
    const reason = blocked(false);
    return { enabled: settings().enabled, model: settings().model, endpoint: describeEndpoint(settings().baseUrl)?.host, blocked: reason === 'disabled' ? undefined : reason };
  };
  /** C++ files saved in the editor and not yet looked at by the extraction (only saves send code). */
  const savedFiles = new Set<string>();
  /** Per element, the slice hash the extraction last saw: it sends only when this changes. */
  const seenSlice = new Map<string, string>();
  const openedClick = new Set<string>();

  /** Why the LLM may not run now (undefined: it may). Says so once per reason, never nags. */
  const blocked = (tell: boolean): string | undefined => {
    const s = settings();
    if (!s.enabled) return 'disabled';
    let reason: string | undefined;
    const endpoint = describeEndpoint(s.baseUrl);
    if (!ctx.trusted()) reason = 'LLM analysis is enabled, but this workspace is not trusted: no source code is sent anywhere, FlowMage runs on static analysis alone.';
    else if (!endpoint) reason = `LLM analysis is enabled, but flowmage.llm.baseUrl "${s.baseUrl}" is not an http(s) URL. FlowMage runs on static analysis alone.`;
    else if ((reason = endpointBlocked(endpoint))) {
      // said below
    } else if (!apiKey() && !endpoint.isLocal) {
      reason = 'LLM analysis is enabled, but no API key is set (FlowMage: Set API Key). FlowMage runs on static analysis alone.';
    }
    if (reason && tell && !told.has(reason)) {
      told.add(reason);
      ctx.log.warn(reason);
      void ctx.connection.sendNotification('window/showMessage', { type: MessageType.Info, message: `FlowMage: ${reason}` });
    }
    return reason;
  };

  // Complexity comparisons: the comparator answers from the store only; a pair it lacks is queued
  // (once per model and pair of slices) and asked in the background; answers invalidate the
  // analyses, so the next hover and the republished diagnostics use them.
  const queued = new Map<string, [string, string]>();
  const asked = new Set<string>();
  let compareJob: Promise<void> | undefined;
  const pairKey = (a: string, b: string) => {
    const [x, y] = a < b ? [a, b] : [b, a];
    return [settings().model, x, y, index.tracker?.get(x)?.slice.hash, index.tracker?.get(y)?.slice.hash].join('\0');
  };
  const runComparisons = () => {
    if (compareJob || !queued.size) return;
    compareJob = (async () => {
      let answered = 0;
      while (queued.size && !blocked(false)) {
        const batch = [...queued.values()];
        queued.clear();
        ctx.log.info(`asking ${target()} to compare ${batch.length} pair(s) of elements in the background`);
        const results = await Promise.all(batch.map(([a, b]) => analyzer.comparePair(a, b)));
        answered += results.filter(Boolean).length;
      }
      if (answered) {
        try {
          await index.store?.save();
        } catch (err) {
          ctx.log.warn(`saving complexity answers failed: ${describeError(err)}`);
        }
        flows.invalidate();
      }
    })()
      .catch((err) => ctx.log.error(`complexity comparisons failed: ${describeError(err)}`))
      .finally(() => {
        compareJob = undefined;
        runComparisons();
      });
  };
  const compare = analyzer.cachedComparator((a, b) => {
    const key = pairKey(a, b);
    if (asked.has(key)) return;
    asked.add(key);
    queued.set(key, [a, b]);
    // After the request that found the pair missing has answered.
    setImmediate(runComparisons);
  });
  let comparing = false;
  const applyComparator = () => {
    const on = !blocked(false) && ctx.settings().llm.complexityComparison;
    if (on === comparing) return;
    comparing = on;
    flows.setComplexityComparator(on ? compare : undefined);
  };

  const afterAnswers = async (names: string[]) => {
    if (names.length === 0) return;
    try {
      await index.store?.save();
    } catch (err) {
      ctx.log.warn(`saving LLM answers failed: ${describeError(err)}`);
    }
    index.notifyFeaturesChanged(names);
  };

  /** Elements asked for before any index had them (a settings change at start-up can outrun the index): asked once it publishes. */
  const waiting = new Map<string, string>();
  const run = async (names: string[], why: string) => {
    const reason = blocked(true);
    if (reason) return ctx.log.debug(`LLM: not asking about ${names.length} element(s) (${why}): ${reason}`);
    if (!index.tracker) {
      for (const n of names) waiting.set(n, why);
      return ctx.log.debug(`LLM: ${names.length} element(s) (${why}) wait for the index`);
    }
    const todo = analyzer.missing(names);
    if (todo.length === 0) return ctx.log.debug(`LLM: nothing to ask about ${names.join(', ')} (${why}): answered already, not indexed, or without code`);
    ctx.log.info(`asking ${target()} about ${todo.length} element(s) (${why})`);
    const result = await analyzer.extractMany(todo);
    for (const f of result.failed) ctx.log.warn(`LLM analysis of ${f.name} failed: ${f.error}`);
    for (const s of result.skipped) ctx.log.info(`LLM analysis skipped ${s}`);
    if (result.failed.length) {
      void ctx.connection.sendNotification('window/showMessage', {
        type: MessageType.Warning,
        message: `FlowMage: the LLM could not analyze ${result.failed.map((f) => f.name).join(', ')}: ${result.failed[0].error}`,
      });
    }
    await afterAnswers(result.extracted);
  };

  ctx.documents.onDidSave((e) => {
    if (e.document.uri.startsWith('file:') && isCppSource(fileURLToPath(e.document.uri))) savedFiles.add(fileURLToPath(e.document.uri));
  });
  index.onDidChangeFeatures((names) => {
    if (waiting.size && index.tracker) {
      const asked = [...waiting.keys()];
      const why = [...new Set(waiting.values())].join('; ');
      waiting.clear();
      void run(asked, why).catch((err) => ctx.log.error(`LLM after the index failed: ${describeError(err)}`));
    }
    // What to send is decided per element by what changed: its slice hash against the one seen
    // before, and only for code saved in the editor (the start-up index, a re-index after a
    // settings change, or a checkout on disk sends nothing).
    const changed: string[] = [];
    const touched = new Set<string>();
    for (const name of names) {
      const t = index.tracker?.get(name);
      const before = seenSlice.get(name);
      if (!t || !t.slice.hash) {
        seenSlice.delete(name);
        continue;
      }
      seenSlice.set(name, t.slice.hash);
      const saved = t.files.filter((f) => savedFiles.has(f));
      if (before === undefined || before === t.slice.hash || !saved.length) continue;
      changed.push(name);
      for (const f of saved) touched.add(f);
    }
    for (const f of touched) savedFiles.delete(f);
    if (changed.length) void run(changed, 'its code changed').catch((err) => ctx.log.error(`LLM after save failed: ${describeError(err)}`));
  });
  docs.onDidChangeModel((uri, model) => {
    if (openedClick.has(uri)) return;
    openedClick.add(uri);
    void index
      .ready()
      .then(() => run([...new Set(model.elements.map((e) => e.className))], `opened ${uri.split('/').pop()}`))
      .catch((err) => ctx.log.error(`LLM on open failed: ${describeError(err)}`));
  });
  docs.onDidClose((uri) => openedClick.delete(uri));
  // When the LLM becomes usable (consent given, key set, trust granted), ask about what is open.
  let wasBlocked = true;
  let lastTarget = '';
  ctx.onSettingsChanged(() => {
    applyComparator();
    if (!settings().enabled) return;
    if (target() !== lastTarget) {
      lastTarget = target();
      ctx.log.info(`LLM endpoint: ${target()}`);
    }
    const nowBlocked = !!blocked(true);
    if (wasBlocked && !nowBlocked) {
      const models = ctx.documents
        .all()
        .map((d) => docs.get(d.uri))
        .filter((m) => m !== undefined);
      const names = [...new Set(models.flatMap((m) => m.elements.map((e) => e.className)))];
      if (names.length)
        void index
          .ready()
          .then(() => run(names, 'the LLM became usable'))
          .catch((err) => ctx.log.error(`LLM after a settings change failed: ${describeError(err)}`));
    }
    wasBlocked = nowBlocked;
  });

  ctx.connection.onRequest(
    AnalyzeElementsRequest.type,
    guard(
      ctx,
      AnalyzeElementsRequest.method,
      { message: 'failed; see the FlowMage log' } as AnalyzeElementsResult,
      async (params: { names?: string[] } = {}, token?: CancellationToken): Promise<AnalyzeElementsResult> => {
        await index.ready();
        const reason = blocked(false);
        if (reason) {
          return { message: reason === 'disabled' ? 'LLM analysis is disabled (flowmage.llm.enabled); the static analysis is up to date.' : reason };
        }
        const todo = analyzer.missing(params.names);
        if (todo.length === 0) return { message: 'every element already has an LLM answer for its current code' };
        const progress = await ctx.connection.window.createWorkDoneProgress();
        const controller = new AbortController();
        // Stopped from the progress notification, or by cancelling the request itself.
        progress.token.onCancellationRequested(() => controller.abort());
        token?.onCancellationRequested(() => controller.abort());
        progress.begin(`FlowMage: asking ${target()}`, 0, `0/${todo.length} elements`, true);
        let result: ExtractManyResult;
        try {
          result = await analyzer.extractMany(todo, {
            signal: controller.signal,
            onProgress: (done, total, name) => progress.report(Math.round((done / total) * 100), `${done}/${total} elements (${name})`),
          });
        } finally {
          progress.done();
        }
        await afterAnswers(result.extracted);
        const parts = [`${result.extracted.length} of ${todo.length} element(s) analyzed`];
        if (result.failed.length) parts.push(`${result.failed.length} failed (${result.failed[0].name}: ${result.failed[0].error})`);
        if (result.skipped.length) parts.push(`${result.skipped.length} skipped as too large`);
        if (result.cancelled) parts.push('cancelled');
        parts.push(`${result.tokens.prompt} prompt + ${result.tokens.completion} completion tokens`);
        return { ...result, message: parts.join('; ') };
      },
    ),
  );

  return {
    initialized: () => {
      applyComparator();
      if (settings().enabled) {
        lastTarget = target();
        ctx.log.info(`LLM endpoint: ${target()}`);
      }
      wasBlocked = !!blocked(true);
    },
  };
}
