// A cold index handed to the index's child process (core/index/indexProcess.ts), as the language
// server sees it: the child started at initialize when a cold index is expected, the scans it hands
// over once it has read the tree, the classes asked of it first and not answered yet, and the end,
// the child's pack opened as on a warm start (or nothing when the child failed: the server then
// indexes in process). While it runs, the server never saves its own, older view of the pack.
import { CancelledError, ElementIndex, type IndexStats, type PreviousBuild } from '../core/cpp/elementIndex';
import { adoptScans, type EarlyAnswer } from '../core/index/earlyAnswer';
import type { IndexBuildProgress, IndexBuildRequest, IndexBuildResult } from '../core/index/indexBuild';
import { IndexCache } from '../core/index/indexCache';
import { hasPack } from '../core/index/packLocation';
import { indexProcessScript, prepareIndexProcess, type IndexProcess, type PreparedIndexProcess } from '../core/index/indexProcess';
import { describeError, type Logger } from '../core/log';
import { takeEarlyIndexProcess } from './earlyIndexProcess';

export interface ChildIndexLoaded {
  index: ElementIndex;
  built: IndexStats;
  /** The pack the child wrote, opened anew (the server's older instance points into the old one). */
  cache: IndexCache;
  result: IndexBuildResult;
}

export interface ChildIndexOptions {
  isCancelled(): boolean;
  /** The server's own build of the roots while the child worked (watched since): the child's pack is loaded with its listing and stats, or listed and stated again when there is none. */
  previousBuild(): PreviousBuild | undefined;
  onProgress(p: IndexBuildProgress): void;
  onEarly(answer: EarlyAnswer): void;
}

export class ChildIndexRun {
  private readonly asked = new Set<string>();
  private readonly child: IndexProcess;
  private finished = false;
  /** Stopped by the server (the tree turned out small): not a failure. */
  private stopped = false;
  /** The child's index, loaded; undefined when the child failed (said in the log). Rejects with CancelledError when cancelled. */
  readonly loaded: Promise<ChildIndexLoaded | undefined>;

  constructor(
    private readonly log: Logger,
    request: IndexBuildRequest,
    options: ChildIndexOptions,
    /** A child started ahead of need (indexProcess.ts), or none: one is started now. */
    prepared: PreparedIndexProcess = prepareIndexProcess(indexProcessScript()),
  ) {
    for (const n of request.early ?? []) this.asked.add(n);
    const onEarly = (answer: EarlyAnswer) => {
      for (const n of answer.names) this.asked.delete(n);
      options.onEarly(answer);
    };
    this.child = prepared.start(request, { isCancelled: options.isCancelled, onProgress: options.onProgress, onEarly, log });
    this.loaded = this.load(request, options).finally(() => (this.finished = true));
  }

  /**
   * Once the child has read the tree, its files' scans go into `cache` (the server's): the server's
   * own build then takes them, stats included, instead of reading and hashing the files beside the
   * child. Returns the paths taken; none when the child failed first or the scans could not be read.
   */
  async takeScans(cache: IndexCache): Promise<string[]> {
    const file = await this.child.scanned;
    if (!file) return [];
    try {
      const paths = adoptScans(cache, file);
      this.log.debug(`took the scans of ${paths.length} files from the index's child process`);
      return paths;
    } catch (err) {
      this.log.warn(`could not take the index child's file scans (${describeError(err)}); reading the files here`);
      return [];
    }
  }

  /** Until the child's index is loaded (or the child failed). */
  get running(): boolean {
    return !this.finished;
  }

  /** Kills the child; `loaded` then gives undefined, with nothing logged. */
  stop(): void {
    if (this.finished) return;
    this.stopped = true;
    this.child.cancel();
  }

  /** Asks the child for these classes first; each is asked once. */
  ask(names: readonly string[]): void {
    if (this.finished) return;
    const fresh = names.filter((n) => !this.asked.has(n));
    for (const n of fresh) this.asked.add(n);
    this.child.askEarly(fresh);
  }

  /** Classes asked and never answered (after a failure, the server analyzes them itself). */
  unanswered(): string[] {
    return [...this.asked];
  }

  private async load(request: IndexBuildRequest, { isCancelled, previousBuild }: ChildIndexOptions): Promise<ChildIndexLoaded | undefined> {
    try {
      const result = await this.child.result;
      this.log.info(`a child process indexed ${result.files} C++ files (${result.parsed} parsed) and analyzed ${result.elements} elements into the index cache in ${result.ms} ms`);
      const cache = await IndexCache.open(request.cacheDir, { log: this.log });
      const index = await ElementIndex.create({ maxFileBytes: request.maxFileBytes, cache });
      const built = await index.build(request.roots, { isCancelled, parse: false, previous: previousBuild() });
      // Stopped meanwhile (on a tiny tree the child may be done before the server has listed it): the server indexes here.
      return this.stopped ? undefined : { index, built, cache, result };
    } catch (err) {
      if (this.stopped) return undefined;
      if (err instanceof CancelledError) throw err;
      this.log.warn(`indexing in a child process failed (${describeError(err)}); indexing in the server instead`);
      return undefined;
    }
  }
}

/**
 * The child process started ahead of need when the storage folder has no pack (the first index
 * will be cold, and on a large tree a child builds it): the one forked as the server loaded
 * (earlyIndexProcess.ts) when the client named that folder in the environment, or else one started
 * at initialize. It loads while the settings are read. The first child run takes it; otherwise it
 * is stopped.
 */
export class PreparedChild {
  private prepared: PreparedIndexProcess | undefined;
  /** The prepared process is the one forked as the server loaded. */
  private forkedAtLoad = false;

  prepareIfCold(cacheDir: string): void {
    // The one forked as the server loaded, if it was for this folder (one for another is stopped).
    const early = takeEarlyIndexProcess(cacheDir);
    if (!cacheDir || this.prepared) return early?.dispose();
    this.forkedAtLoad = !!early;
    this.prepared = early ?? (hasPack(cacheDir) ? undefined : prepareIndexProcess(indexProcessScript()));
  }

  /** For a child run (undefined: none was started, the run starts its own); says which it gives. */
  take(log?: Logger): PreparedIndexProcess | undefined {
    const prepared = this.prepared;
    this.prepared = undefined;
    if (prepared) log?.debug(`the index is built by the process started ${this.forkedAtLoad ? 'as the server loaded' : 'at initialize'}`);
    return prepared;
  }

  /** Stops it if no run took it; whether there was one. */
  dispose(): boolean {
    const prepared = this.take();
    prepared?.dispose();
    return !!prepared;
  }
}
