// A cold index handed to the index's child process (core/index/indexProcess.ts), as the language
// server sees it: the classes asked of the child first and not answered yet, and the end, the
// child's pack opened as on a warm start (or nothing when the child failed: the server then
// indexes in process). While it runs, the server never saves its own, older view of the pack.
import { CancelledError, ElementIndex, type IndexStats } from '../core/cpp/elementIndex';
import type { EarlyAnswer } from '../core/index/earlyAnswer';
import type { IndexBuildProgress, IndexBuildRequest, IndexBuildResult } from '../core/index/indexBuild';
import { IndexCache } from '../core/index/indexCache';
import { prepareIndexProcess, type IndexProcess, type PreparedIndexProcess } from '../core/index/indexProcess';
import { describeError, type Logger } from '../core/log';

export interface ChildIndexLoaded {
  index: ElementIndex;
  built: IndexStats;
  /** The pack the child wrote, opened anew (the server's older instance points into the old one). */
  cache: IndexCache;
  result: IndexBuildResult;
}

export interface ChildIndexOptions {
  isCancelled(): boolean;
  onProgress(p: IndexBuildProgress): void;
  onEarly(answer: EarlyAnswer): void;
}

export class ChildIndexRun {
  private readonly asked = new Set<string>();
  private readonly child: IndexProcess;
  private finished = false;
  /** The child's index, loaded; undefined when the child failed (said in the log). Rejects with CancelledError when cancelled. */
  readonly loaded: Promise<ChildIndexLoaded | undefined>;

  constructor(
    private readonly log: Logger,
    request: IndexBuildRequest,
    options: ChildIndexOptions,
    /** A child started ahead of need (indexProcess.ts), or none: one is started now. */
    prepared: PreparedIndexProcess = prepareIndexProcess(process.argv[1]),
  ) {
    for (const n of request.early ?? []) this.asked.add(n);
    const onEarly = (answer: EarlyAnswer) => {
      for (const n of answer.names) this.asked.delete(n);
      options.onEarly(answer);
    };
    this.child = prepared.start(request, { isCancelled: options.isCancelled, onProgress: options.onProgress, onEarly, log });
    this.loaded = this.load(request, options.isCancelled).finally(() => (this.finished = true));
  }

  /** The file holding the child's file scans once it has read the tree; undefined when it failed first. */
  get scanned(): Promise<string | undefined> {
    return this.child.scanned;
  }

  /** Until the child's index is loaded (or the child failed). */
  get running(): boolean {
    return !this.finished;
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

  private async load(request: IndexBuildRequest, isCancelled: () => boolean): Promise<ChildIndexLoaded | undefined> {
    try {
      const result = await this.child.result;
      this.log.info(`a child process indexed ${result.files} C++ files (${result.parsed} parsed) and analyzed ${result.elements} elements into the index cache in ${result.ms} ms`);
      const cache = await IndexCache.open(request.cacheDir, { log: this.log });
      const index = await ElementIndex.create({ maxFileBytes: request.maxFileBytes, cache });
      const built = await index.build(request.roots, { isCancelled, parse: false });
      return { index, built, cache, result };
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      this.log.warn(`indexing in a child process failed (${describeError(err)}); indexing in the server instead`);
      return undefined;
    }
  }
}
