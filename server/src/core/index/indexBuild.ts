// Builds the persistent index of some source roots in full: every element file parsed (in parse
// workers where the machine has the cores), every element analyzed, the pack written with its
// models, element table and element snapshots. The language server runs it in a child process on
// a cold start (indexProcess.ts): the memory of the whole parse and analysis goes back to the
// system when the child exits, and the server then loads the pack as on a warm start. Elements the
// server needs first are analyzed between the build's steps and handed over (earlyAnswer.ts).
import { FeatureTracker } from '../analysis/featureTracker';
import { CancelledError, ElementIndex, type IndexProgress } from '../cpp/elementIndex';
import { familyOf } from '../cpp/families';
import { listSourceFiles } from '../cpp/sourceFiles';
import { answerEarly, writeScans, type EarlyAnswer } from './earlyAnswer';
import { silentLogger, type Logger } from '../log';
import { FeatureStore } from '../store/featureStore';
import { IndexCache } from './indexCache';
import { ParseHelpers } from '../cpp/parsePool';

export interface IndexBuildRequest {
  roots: string[];
  /** The folder of the pack (core/index/indexCache.ts). */
  cacheDir: string;
  maxFileBytes: number;
  /** Click names to analyze before anything else (the classes of the documents open in the editor). */
  early?: string[];
}

export interface IndexBuildResult {
  files: number;
  elements: number;
  /** Models parsed (not taken from the pack). */
  parsed: number;
  ms: number;
  /** The CPU time of the process that built it (set by the child process: indexProcess.ts). */
  cpuMs?: number;
}

export interface IndexBuildProgress {
  phase: IndexProgress['phase'] | 'analyzing';
  done: number;
  total: number;
}

export interface IndexBuildOptions {
  onProgress?(p: IndexBuildProgress): void;
  isCancelled?(): boolean;
  /** Warnings (a pack set aside, a write that failed, skipped files) go here. */
  log?: Logger;
  /** Click names asked for since the last call (besides the request's): answered between the steps of the build. */
  takeEarly?(): string[];
  onEarly?(answer: EarlyAnswer): void;
  /** Called once the files are read with the file holding their scans (earlyAnswer.ts: writeScans), or undefined when it could not be written. */
  onScanned?(file: string | undefined): void;
}

export async function buildIndexPack(request: IndexBuildRequest, options: IndexBuildOptions = {}): Promise<IndexBuildResult> {
  const t0 = Date.now();
  const log = options.log ?? silentLogger;
  const { isCancelled } = options;
  // Parse helpers load their runtime while the files are listed and read.
  const helpers = ParseHelpers.start();
  try {
    // The tree is listed while the cache opens and the parser loads (its WASM compiles off this thread).
    const listing = listSourceFiles(request.roots, isCancelled);
    const cache = await IndexCache.open(request.cacheDir, { log });
    const index = await ElementIndex.create({ maxFileBytes: request.maxFileBytes, cache });
    const previous = { listing: await listing, fileStat: () => undefined };
    const built = await index.build(request.roots, { parse: false, onProgress: options.onProgress, isCancelled, previous });
    options.onScanned?.(writeScans(cache, request.cacheDir, log));
    const read = Date.now();
    // Static features only, kept in memory: they reach the server through the pack's element snapshots.
    const tracker = new FeatureTracker(index, FeatureStore.memory(request.roots[0] ?? request.cacheDir), log);
    let early = request.early ?? [];
    const answered = new Set<string>();
    const answerAsked = () => {
      const names = [...early, ...(options.takeEarly?.() ?? [])];
      early = [];
      if (!names.length || !options.onEarly) return;
      for (const n of names) answered.add(n);
      options.onEarly(answerEarly(index, tracker, names, request.cacheDir, log));
    };
    // Early answers go out between steps: the progress callbacks run where the build yields.
    const onProgress = (p: IndexBuildProgress) => {
      answerAsked();
      options.onProgress?.(p);
    };
    answerAsked();
    await index.parseElementFiles({ onProgress, isCancelled, helpers });
    const parsed = Date.now();
    const stats = await tracker.analyzeAll({ isCancelled, onProgress: (done, total) => onProgress({ phase: 'analyzing', done, total }) });
    // Files the helpers had left were needed by no element: not worth waiting for.
    index.stopParseHelpers();
    answerAsked();
    if (isCancelled?.()) throw new CancelledError();
    // The keyword lists of the classes the server asked for first go into the pack with the element
    // table: the server shows those documents again as soon as it has loaded the pack. So do their
    // families' (the alternatives the server's configuration analysis weighs for each element):
    // resolved here, from models in memory, the server neither reads those models nor saves the
    // whole pack again for three lists.
    for (const n of answered) {
      index.parameters(n);
      for (const member of familyOf(index, n)) index.parameters(member.clickName);
    }
    const analyzed = Date.now();
    await cache.save();
    // Where a cold index spends its time (the server's log at debug level).
    log.debug(
      `index build: ${Math.round(process.uptime() * 1000 - (Date.now() - t0))} ms from process start to the build, then read ${read - t0} ms, element files parsed ${parsed - read} ms, ` +
        `analyzed ${analyzed - parsed} ms (${index.parsedHere} files parsed on this thread, ${index.parsedUnblanked} of them again unblanked, ${index.workerModels} by parse helpers), pack written ${Date.now() - analyzed} ms`,
    );
    return { files: built.files, elements: stats.elements, parsed: cache.stats.modelMisses, ms: Date.now() - t0 };
  } finally {
    helpers?.stop();
  }
}
