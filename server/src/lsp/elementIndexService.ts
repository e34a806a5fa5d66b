// Keeps the element index and its features live inside the server: indexes the source roots at
// startup (with cancellable `window/workDoneProgress`), reusing the persistent index in the
// extension's storage (core/index/indexCache.ts; a warm start parses nothing); on a cold start the
// classes of the open .click documents are analyzed first and published before the rest is
// parsed, and a request for a class not analyzed yet analyzes it on the spot (a few files, not the
// tree). Re-analyzes only the affected elements when
// a C++ file is saved or changes on disk (watched through the client when it can, else through a
// file-system watcher here), re-indexes when the settings change, and persists the feature store.
// Other features get an element's merged features by Click name from getElementIndexService(ctx).
import { isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeLensRefreshRequest,
  DidChangeWatchedFilesNotification,
  MessageType,
  ShowMessageNotification,
  type Disposable,
  type FileSystemWatcher,
  type InitializeParams,
} from 'vscode-languageserver/node';
import { FeatureTracker, type AnalyzeStats, type TrackedElement } from '../core/analysis/featureTracker';
import { CancelledError, ElementIndex, type IndexStats } from '../core/cpp/elementIndex';
import type { ParameterList } from '../core/cpp/parameters';
import { isCppSource, CPP_GLOB } from '../core/cpp/sourceFiles';
import { indexCacheDirOf } from '../core/index/packLocation';
import { watchTree, type TreeWatcher } from '../core/cpp/sourceTreeWatcher';
import { describeError } from '../core/log';
import { IndexCache } from '../core/index/indexCache';
import { adoptEarlyAnswer, removeChildHandovers, type EarlyAnswer } from '../core/index/earlyAnswer';
import { FeatureStore } from '../core/store/featureStore';
import { confinePath } from '../core/files/confinedPath';
import type { ElementInfo as ConfigElementInfo } from '../core/chains/analyzeConfig';
import { elementInfo, mergedFeatures } from '../core/chains/elementLookup';
import type { MergedFeatures } from '../core/llm/merge';
import { clickDocuments } from './clickDocuments';
import { perServer, type ServerContext } from './context';
import type { Feature } from './features';
import { onWatchedFilesChanged } from './providers';
import { ChildIndexRun, PreparedChild } from './childIndexRun';
import type { IndexStatus } from '../protocol';

export interface ElementIndexService {
  /** Resolves once the first full index is done, and any index a settings change (read or being read) started. */
  ready(): Promise<void>;
  /**
   * An element's features for the solver, by Click name: the static analysis merged
   * conservatively (core/llm/merge) with the newest LLM answer stored for the same code slice
   * (of `model` when given).
   */
  features(clickName: string, model?: string): MergedFeatures | undefined;
  /** What analyzeConfig's `lookup` wants for a class of a .click file (features, work estimate, location). */
  lookup(clickName: string, model?: string): ConfigElementInfo | undefined;
  element(clickName: string): TrackedElement | undefined;
  /** The keyword arguments a class's configure() accepts (core/cpp/parameters.ts). */
  parameters(clickName: string): ParameterList | undefined;
  elements(): TrackedElement[];
  /** Elements whose class is declared in this file. */
  elementsInFile(path: string): TrackedElement[];
  /** Called with the Click names whose features appeared, changed or went away. Returns an unsubscribe function. */
  onDidChangeFeatures(listener: (names: string[]) => void): () => void;
  /** Tells every listener that these elements' merged features changed (e.g. new LLM answers). */
  notifyFeaturesChanged(names: string[]): void;
  status(): IndexStatus;
  /** The core objects, for features that need more (slices for the LLM, the store for its results). */
  readonly tracker: FeatureTracker | undefined;
  readonly store: FeatureStore | undefined;
}

const serviceImpl = perServer((ctx) => new ElementIndexServiceImpl(ctx));

/** The index service of this server (created on first use). */
export function getElementIndexService(ctx: ServerContext): ElementIndexService {
  return serviceImpl(ctx);
}

/** Registers the service's lifecycle: startup indexing, watchers, settings, shutdown. */
export function elementIndexFeature(ctx: ServerContext): Feature {
  const service = serviceImpl(ctx);
  return {
    capabilities(params) {
      service.clientCapabilities(params);
      return {};
    },
    initialized: () => service.start(),
    shutdown: () => service.stop(),
  };
}

const DEBOUNCE_MS = 150;
const SAVE_DELAY_MS = 1000;
/** Element files to parse from which a stale index goes to a child process (below, starting one costs more than it saves). */
const CHILD_INDEX_MIN_FILES = 64;
/** C++ files listed below which the child process started for an index never built for these roots is stopped (the tree is indexed here). */
const CHILD_INDEX_MIN_LISTED = 128;

class ElementIndexServiceImpl implements ElementIndexService {
  tracker: FeatureTracker | undefined;
  store: FeatureStore | undefined;
  private index: ElementIndex | undefined;
  private cache: IndexCache | undefined;
  private cacheDir = '';
  private cachedFiles = 0;
  /** A cold index a child process builds: while it runs, classes are asked of it (this server parses nothing) and the pack is its to write. */
  private childRun: ChildIndexRun | undefined;
  /** Files parsed by the indexes this server replaced (status.parsedHere). */
  private parsedByEarlierIndexes = 0;
  /** Answers that came before this server published its first, partial index. */
  private earlyAnswers: EarlyAnswer[] = [];
  private lastChildIndex: IndexStatus['childIndex'];
  /** The published tracker is still being filled by the first index: missing classes are analyzed on demand. */
  private partial = false;
  private readonly listeners: Array<(names: string[]) => void> = [];
  private state: IndexStatus['state'] = 'idle';
  private lastStats: AnalyzeStats | undefined;
  private roots: string[] = [];
  private storePath = '';
  private maxFileKB = 0;
  private generation = 0;
  private current: Promise<void> = Promise.resolve();
  /** Resolved when the first full index ends (however it ends). */
  private firstIndexDone!: () => void;
  private readonly firstIndex = new Promise<void>((res) => (this.firstIndexDone = res));
  private pending = new Set<string>();
  private pendingTimer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private watchRegistration: Disposable | undefined;
  private fsWatchers: TreeWatcher[] = [];
  /** The roots the watchers cover (those of the index being built or last built). */
  private watchedRoots: string[] = [];
  private canRegisterWatchers = false;
  private relativePatterns = false;
  private canRefreshLenses = false;
  private started = false;
  /** A child process started ahead of need (as the server loaded, or at initialize) for the cold index expected then. */
  private readonly preparedChild = new PreparedChild();
  /** The index whose parsed models were released (once per index). */
  private modelsReleasedFor: ElementIndex | undefined;

  constructor(private readonly ctx: ServerContext) {
    onWatchedFilesChanged(ctx, (params) => {
      for (const change of params.changes) if (change.uri.startsWith('file:')) this.fileChanged(fileURLToPath(change.uri));
    });
    ctx.documents.onDidSave((e) => {
      if (e.document.uri.startsWith('file:')) this.fileChanged(fileURLToPath(e.document.uri));
    });
    // A document opened while the first index runs: its classes go first too.
    clickDocuments(ctx).onDidChangeModel((_uri, model) => {
      const early = this.analyzeEarly([...new Set(model.elements.map((e) => e.className))]);
      if (early.length) this.emit(early);
    });
    ctx.onSettingsChanged(() => {
      if (!this.started) return;
      const { roots, storePath } = this.configuration();
      const maxFileKB = this.ctx.settings().index.maxFileSizeKB;
      if (roots.join('\n') !== this.roots.join('\n') || storePath !== this.storePath || maxFileKB !== this.maxFileKB) void this.reindex('settings changed');
    });
  }

  clientCapabilities(params: InitializeParams): void {
    const ws = params.capabilities.workspace;
    this.canRegisterWatchers = !!ws?.didChangeWatchedFiles?.dynamicRegistration;
    this.relativePatterns = !!ws?.didChangeWatchedFiles?.relativePatternSupport;
    this.canRefreshLenses = !!ws?.codeLens?.refreshSupport;
    this.preparedChild.prepareIfCold(this.indexCacheDir());
  }

  start(): void {
    this.started = true;
    void this.reindex('startup');
  }

  async stop(): Promise<void> {
    this.generation++;
    this.firstIndexDone();
    clearTimeout(this.pendingTimer);
    clearTimeout(this.saveTimer);
    this.closeWatchers();
    this.preparedChild.dispose();
    await this.saveStore();
  }

  async ready(): Promise<void> {
    await this.firstIndex;
    // A settings change being read may start another index, and one may be queued while this
    // waits: ready means the last one known when nothing else is pending.
    for (;;) {
      await this.ctx.settingsSettled();
      const run = this.current;
      await run;
      if (run === this.current) return;
    }
  }

  features(clickName: string, model?: string): MergedFeatures | undefined {
    this.analyzeEarly([clickName]);
    return this.tracker ? mergedFeatures(this.tracker, clickName, model) : undefined;
  }

  lookup(clickName: string, model?: string): ConfigElementInfo | undefined {
    this.analyzeEarly([clickName]);
    const info = this.tracker ? elementInfo(this.tracker, clickName, model) : undefined;
    // A family is found among all elements: not before the first index ends (the analyses are
    // republished then), so the first hover does not wait for the whole tree to be parsed.
    return info && this.partial ? { ...info, family: undefined } : info;
  }

  element(clickName: string): TrackedElement | undefined {
    this.analyzeEarly([clickName]);
    return this.tracker?.get(clickName);
  }

  parameters(clickName: string): ParameterList | undefined {
    // Resolving parameters needs the whole element table: not before the first index ends.
    if (this.partial) return undefined;
    return this.tracker?.index.parameters(clickName);
  }

  /**
   * During the first index: analyzes these classes now if they are not yet (the files that name
   * them, their bases and state types: milliseconds, not the tree). Returns the names analyzed.
   */
  private analyzeEarly(names: readonly string[]): string[] {
    const tracker = this.tracker;
    // Before the first index is published, a child that runs is asked.
    if (!tracker && this.childRun?.running) {
      this.childRun.ask(names);
      return [];
    }
    if (!this.partial || !tracker) return [];
    const todo = names.filter((n) => !tracker.get(n));
    if (!todo.length) return [];
    if (this.childRun?.running) {
      // The child parses and analyzes them (this server's memory stays as on a warm start); its answer publishes them.
      this.childRun.ask(todo);
      return [];
    }
    return this.analyzeHere(tracker, todo);
  }

  private analyzeHere(tracker: FeatureTracker, names: readonly string[]): string[] {
    if (!names.length) return [];
    try {
      return tracker.analyzeElements(tracker.index.findElementsEarly(names)).map((t) => t.info.clickName);
    } catch (err) {
      this.ctx.log.warn(`early analysis of ${names.join(', ')} failed: ${describeError(err)}`);
      return [];
    }
  }

  /** The child's answer for early classes: its models and snapshots taken, the classes are analyzed here as on a warm start. */
  private takeEarlyAnswer(answer: EarlyAnswer, t0: number): void {
    const tracker = this.tracker;
    if (!tracker) {
      this.earlyAnswers.push(answer);
      return;
    }
    if (!this.partial) return;
    try {
      adoptEarlyAnswer(tracker.index, answer);
    } catch (err) {
      this.ctx.log.warn(`could not read the index process's early answer (${describeError(err)}); analyzing ${answer.names.join(', ')} here`);
    }
    const done = this.analyzeHere(
      tracker,
      answer.names.filter((n) => !tracker.get(n)),
    );
    if (!done.length) return;
    this.ctx.log.info(`the index process analyzed ${done.join(', ')} first (${answer.ms} ms there), ${Date.now() - t0} ms after the start of indexing`);
    this.emit(done);
  }

  /** Classes used by the open .click documents (what a cold start analyzes first). */
  private openDocumentClasses(): string[] {
    const docs = clickDocuments(this.ctx);
    const names = new Set<string>();
    for (const d of this.ctx.documents.all()) for (const e of docs.get(d.uri)?.elements ?? []) names.add(e.className);
    return [...names];
  }

  elements(): TrackedElement[] {
    return this.tracker?.all() ?? [];
  }

  elementsInFile(path: string): TrackedElement[] {
    return this.elements().filter((t) => t.info.headerFile === path);
  }

  notifyFeaturesChanged(names: string[]): void {
    this.emit(names);
  }

  onDidChangeFeatures(listener: (names: string[]) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  status(): IndexStatus {
    return {
      state: this.state,
      roots: this.roots,
      files: this.index?.fileCount ?? 0,
      elements: this.tracker?.all().length ?? 0,
      ms: this.lastStats?.ms ?? 0,
      store: this.store && !this.store.isMemory ? this.store.file : undefined,
      // The problems need the whole element table: not while it is being built.
      problems: this.partial ? [] : (this.index?.problems ?? []),
      cache: this.cache && {
        file: this.cache.file,
        files: this.cache.size,
        cachedFiles: this.cachedFiles,
        modelHits: this.cache.stats.modelHits,
        modelMisses: this.cache.stats.modelMisses,
        warnings: this.cache.warnings,
      },
      partial: this.partial,
      ...(this.lastChildIndex ? { childIndex: this.lastChildIndex } : {}),
      parsedHere: this.parsedByEarlierIndexes + (this.index?.parsedHere ?? 0),
      memory: memoryMB(),
    };
  }

  // ---- indexing ----

  /** The persistent index lives in the extension's storage (never in the workspace): empty without one. */
  private indexCacheDir(): string {
    const storage = this.ctx.storagePath();
    return storage ? indexCacheDirOf(storage) : '';
  }

  private configuration(): { roots: string[]; storePath: string; storeRoot: string; storeProblem?: string } {
    const folders = this.ctx.workspaceFolders();
    const base = folders[0];
    const configured = this.ctx.settings().sourcePaths.filter((p) => p.trim());
    const roots = configured.length ? configured.map((p) => (isAbsolute(p) || !base ? resolve(p) : resolve(base, p))) : [...folders];
    const storeSetting = this.ctx.settings().store.path.trim();
    if (!storeSetting || !base) return { roots, storePath: '', storeRoot: '' };
    // The store stays inside the workspace folder or the extension's storage (issue: a cloned
    // repository's settings must not make the server overwrite files elsewhere).
    const confined = confinePath(storeSetting, [base, this.ctx.storagePath() ?? ''], 'flowmage.store.path');
    if ('error' in confined) return { roots, storePath: '', storeRoot: '', storeProblem: `${confined.error}; features are kept in memory` };
    return { roots, storePath: confined.path, storeRoot: confined.root };
  }

  /** Indexes everything again; a run under way is cancelled first. */
  private reindex(reason: string): Promise<void> {
    const generation = ++this.generation;
    const run = this.current.then(() => this.fullIndex(generation, reason));
    this.current = run.catch(() => undefined);
    return this.current;
  }

  private async fullIndex(generation: number, reason: string): Promise<void> {
    if (generation !== this.generation) return;
    const { roots, storePath, storeRoot, storeProblem } = this.configuration();
    if (storeProblem) this.ctx.log.warn(storeProblem);
    this.state = 'indexing';
    const log = this.ctx.log;
    const progress = await this.ctx.connection.window.createWorkDoneProgress().catch(() => undefined);
    let cancelledByUser = false;
    progress?.token.onCancellationRequested(() => (cancelledByUser = true));
    const isCancelled = () => cancelledByUser || generation !== this.generation;
    const t0 = Date.now();
    progress?.begin('FlowMage: indexing C++ elements', 0, 'listing files', true);
    try {
      if (!roots.length) {
        this.watchRoots(roots);
        log.info('no source roots (no workspace folder and flowmage.sourcePaths is empty): C++ elements are not indexed');
        this.roots = roots;
        this.storePath = storePath;
        this.index = undefined;
        this.tracker = undefined;
        this.state = 'idle';
        return;
      }
      this.maxFileKB = this.ctx.settings().index.maxFileSizeKB;
      const cacheDir = this.indexCacheDir();
      if (!this.cache || cacheDir !== this.cacheDir) {
        this.cacheDir = cacheDir;
        this.cache = cacheDir ? await IndexCache.open(cacheDir, { log }) : undefined;
      }
      const onProgress = (p: { phase: string; done: number; total: number }) => {
        if (p.phase === 'parsing') progress?.report(Math.round((p.done / Math.max(1, p.total)) * 50), `parsing ${p.done}/${p.total} files`);
        else if (p.phase === 'analyzing') progress?.report(50 + Math.round((p.done / Math.max(1, p.total)) * 50), `analyzing ${p.done}/${p.total} elements`);
        else progress?.report(0, `${p.phase} ${p.done}/${p.total} files`);
      };
      // A cold index of a large tree goes to a child process, started at once (an index never built
      // for these roots) or once the files are read (most of a stale one to redo).
      const first = !this.tracker;
      // This server's own build below (the tree watched since before): the child's pack is loaded
      // with its listing and stats, not listing and stating the tree again.
      const ownBuild: { index?: ElementIndex } = {};
      const childOptions = { isCancelled, onProgress, onEarly: (a: EarlyAnswer) => this.takeEarlyAnswer(a, t0), previousBuild: () => ownBuild.index };
      let child: Promise<{ index: ElementIndex; built: IndexStats } | undefined> | undefined;
      this.earlyAnswers = [];
      const startChild = (cacheDir: string) => {
        removeChildHandovers(cacheDir);
        const run = new ChildIndexRun(
          log,
          { roots, cacheDir, maxFileBytes: this.maxFileKB * 1024, early: first ? this.openDocumentClasses() : [] },
          childOptions,
          this.preparedChild.take(log),
        );
        this.childRun = run;
        child = run.loaded.then((loaded) => {
          if (!loaded) return undefined;
          this.cache = loaded.cache;
          this.lastChildIndex = { ms: loaded.result.ms, parsed: loaded.result.parsed, cpuMs: loaded.result.cpuMs };
          return { index: loaded.index, built: loaded.built };
        });
        child.catch(() => undefined); // awaited below; this only keeps an early throw from leaving it unhandled
      };
      const packDir = this.cache?.dir;
      // An index never built for these roots: the child starts now, before anything else here (it
      // lists and reads the tree itself); it is stopped if the tree turns out small.
      if (packDir && !this.cache!.hasElementTable(roots.join('\n'))) startChild(packDir);
      // Watched before any file is read: a file changed while the index is built is indexed again after it.
      this.watchRoots(roots);
      await this.saveStore();
      const store = storePath ? await FeatureStore.open(storePath, { log, root: storeRoot }) : FeatureStore.memory(this.ctx.workspaceFolders()[0] ?? roots[0]);
      let index = await ElementIndex.create({ maxFileBytes: this.maxFileKB * 1024, cache: this.cache });
      // Files whose scans the child handed over: their stats are the child's (taken after the tree was watched).
      let handedOver: ReadonlySet<string> = new Set();
      let built = await index.build(roots, {
        isCancelled,
        // Once a child runs, the progress shown is its own.
        onProgress: (p) => {
          if (!child) onProgress(p);
        },
        parse: false,
        onListed: async (files) => {
          const run = this.childRun;
          if (!run) return;
          if (files.length < CHILD_INDEX_MIN_LISTED) {
            run.stop();
            this.childRun = undefined;
            child = undefined;
            log.debug(`stopped the index process: this tree (${files.length} C++ files) is indexed here`);
            return;
          }
          // Documents opened since the child was asked for their classes.
          if (first) run.ask(this.openDocumentClasses());
          if (this.cache) handedOver = new Set(await run.takeScans(this.cache));
        },
        previous: { listing: undefined, fileStat: (path) => (handedOver.has(path) ? this.cache?.entry(path) : undefined) },
      });
      ownBuild.index = index;
      // Files whose scans the child handed over were read by the child, not found unchanged.
      this.cachedFiles = Math.max(0, built.cachedFiles - handedOver.size);
      let tracker = new FeatureTracker(index, store, log);
      if (!child && this.cache?.dir && !index.hasStoredTable() && index.elementFilesToParse() >= CHILD_INDEX_MIN_FILES) startChild(this.cache.dir);
      // Started ahead of need and not needed (a small tree): stopped.
      if (this.preparedChild.dispose()) log.debug('stopped the index process started ahead of need: this tree is indexed here');
      if (first) {
        // First index: publish at once; the open documents' classes are analyzed first (here, or
        // by the child), any other class a request asks for on demand, the rest below.
        this.roots = roots;
        this.storePath = storePath;
        this.index = index;
        this.tracker = tracker;
        this.store = store;
        this.partial = true;
        for (const a of this.earlyAnswers.splice(0)) this.takeEarlyAnswer(a, t0);
        const early = this.analyzeEarly(this.openDocumentClasses());
        if (early.length) {
          log.info(`analyzed the open documents' classes first (${early.join(', ')}), ${Date.now() - t0} ms after the start of indexing`);
          this.emit(early);
        }
      }
      const fresh = await child;
      // Answers never read (the child answered after this server stopped waiting for them).
      if (child && packDir) removeChildHandovers(packDir);
      if (fresh) {
        ({ index, built } = fresh);
        tracker = new FeatureTracker(index, store, log);
      } else if (this.childRun?.unanswered().length) {
        // The child failed: what was asked of it is analyzed here, before the rest.
        const early = this.analyzeEarly(this.childRun.unanswered());
        if (early.length) this.emit(early);
      }
      this.childRun = undefined;
      await index.parseElementFiles({ isCancelled, onProgress });
      const stats = await tracker.analyzeAll({ isCancelled, onProgress: (done, total) => onProgress({ phase: 'analyzing', done, total }) });
      if (isCancelled()) throw new CancelledError();
      // After the analysis: it parses base and state-type files on demand, which may be skipped too.
      for (const p of index.problems) log.warn(p);
      this.tellSkipped(index);
      const before = new Set(this.tracker?.all().map((t) => t.info.clickName) ?? []);
      if (this.index && this.index !== index) this.parsedByEarlierIndexes += this.index.parsedHere;
      this.roots = roots;
      this.storePath = storePath;
      this.index = index;
      this.tracker = tracker;
      this.store = store;
      this.partial = false;
      this.lastStats = { ...stats, ms: Date.now() - t0 };
      this.state = 'idle';
      const cache = this.cache;
      const cacheNote = cache
        ? `; index cache ${cache.file}: ${built.cachedFiles} of ${built.files} files unchanged, ${cache.stats.modelHits} models reused, ${cache.stats.modelMisses} parsed`
        : '; no index cache (no storage folder)';
      log.info(
        `indexed ${built.files} C++ files under ${roots.join(', ')} (${reason}): ${stats.elements} elements, ${stats.analyzed} analyzed, ${stats.reused} unchanged, ${stats.failed} failed, ${Date.now() - t0} ms${cacheNote}`,
      );
      this.scheduleSave();
      this.emit([...new Set([...before, ...tracker.all().map((t) => t.info.clickName)])].sort());
    } catch (err) {
      if (this.partial) {
        // The first index did not finish: what was published early is all there is.
        this.partial = false;
      }
      if (err instanceof CancelledError) {
        this.state = this.tracker ? 'idle' : 'failed';
        if (cancelledByUser) log.info('indexing of C++ elements cancelled');
      } else {
        this.state = 'failed';
        log.error(`indexing C++ elements failed: ${describeError(err)}`);
      }
    } finally {
      this.childRun = undefined;
      this.preparedChild.dispose();
      progress?.done();
      this.firstIndexDone();
    }
  }

  /** Skipped files change what the user sees (elements without features): say so once per index, not only in the log. */
  private tellSkipped(index: ElementIndex): void {
    const skipped = index.skippedFiles();
    if (!skipped.length) return;
    const first = skipped[0];
    const more = skipped.length > 1 ? ` and ${skipped.length - 1} more` : '';
    // A notification, not window/showMessageRequest: nothing waits for the user to close it.
    void this.ctx.connection
      .sendNotification(ShowMessageNotification.type, {
        type: MessageType.Warning,
        message: `FlowMage skipped ${index.displayPath(first.file)}: ${first.reason}${more}. See the FlowMage log.`,
      })
      .catch(() => undefined);
  }

  // ---- changes ----

  private underRoots(path: string): boolean {
    return isCppSource(path) && this.watchedRoots.some((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
  }

  private fileChanged(path: string): void {
    if (!this.underRoots(path)) return;
    this.pending.add(path);
    clearTimeout(this.pendingTimer);
    this.pendingTimer = setTimeout(() => {
      const paths = [...this.pending];
      this.pending.clear();
      this.current = this.current.then(() => this.applyChanges(paths)).catch(() => undefined);
    }, DEBOUNCE_MS);
  }

  private async applyChanges(paths: string[]): Promise<void> {
    const tracker = this.tracker;
    if (!tracker) return;
    try {
      const t0 = Date.now();
      const names = await tracker.filesChanged(paths);
      const changed = new Set(paths);
      for (const s of tracker.index.skippedFiles()) if (changed.has(s.file)) this.ctx.log.warn(`${tracker.index.displayPath(s.file)} skipped: ${s.reason}`);
      if (!names.length) return;
      this.ctx.log.info(`re-analyzed ${names.join(', ')} after changes to ${paths.length} file(s) (${Date.now() - t0} ms)`);
      this.scheduleSave();
      this.emit(names);
    } catch (err) {
      this.ctx.log.error(`updating C++ elements failed: ${describeError(err)}`);
    }
  }

  private emit(names: string[]): void {
    for (const l of this.listeners) {
      try {
        l(names);
      } catch (err) {
        this.ctx.log.error(`feature listener failed: ${describeError(err)}`);
      }
    }
    if (this.canRefreshLenses) void this.ctx.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }

  // ---- watchers ----

  private watchRoots(roots: string[]): void {
    if (roots.join('\n') === this.watchedRoots.join('\n')) return;
    this.closeWatchers();
    this.watchedRoots = roots;
    if (this.canRegisterWatchers) {
      const watchers: FileSystemWatcher[] = roots.map((r) =>
        this.relativePatterns ? { globPattern: { baseUri: pathToFileURL(r).href, pattern: CPP_GLOB } } : { globPattern: `${r.split(sep).join('/')}/${CPP_GLOB}` },
      );
      void this.ctx.connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers })
        .then((d) => {
          // Roots changed while the registration was on its way: it is not wanted any more.
          if (this.watchedRoots === roots) this.watchRegistration = d;
          else d.dispose();
        })
        .catch((err) => this.ctx.log.warn(`could not register file watchers: ${describeError(err)}`));
      return;
    }
    // The client does not watch files for servers: one watch per directory here (sourceTreeWatcher.ts).
    for (const r of roots) {
      this.fsWatchers.push(
        watchTree(
          resolve(r),
          (path) => this.fileChanged(path),
          (err) => this.ctx.log.warn(`file watcher under ${r}: ${describeError(err)}`),
        ),
      );
    }
  }

  private closeWatchers(): void {
    this.watchedRoots = [];
    this.watchRegistration?.dispose();
    this.watchRegistration = undefined;
    for (const w of this.fsWatchers) w.close();
    this.fsWatchers = [];
  }

  // ---- store ----

  /** Once the pack holds them, the models leave memory (read back from the pack when a request needs one). */
  private releaseModels(): void {
    const index = this.index;
    if (this.partial || !index || this.modelsReleasedFor === index || this.cache?.isDirty) return;
    try {
      const before = index.parsedCount;
      if (index.releaseModels()) {
        this.modelsReleasedFor = index;
        this.tracker?.rebind();
        const collected = collectGarbage();
        this.ctx.log.info(`released ${before - index.parsedCount} parsed models (read back from the index cache when needed)${collected ? '; memory collected' : ''}`);
      }
    } catch (err) {
      this.ctx.log.warn(`could not release the parsed models: ${describeError(err)}`);
    }
  }

  private scheduleSave(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.saveStore(), SAVE_DELAY_MS);
  }

  private async saveStore(): Promise<void> {
    clearTimeout(this.saveTimer);
    // The index cache warns for itself (through the log) and never throws. While a child process
    // writes the pack, this server's older view of it must not overwrite it.
    if (this.cache?.isDirty && !this.childRun?.running) await this.cache.save();
    this.releaseModels();
    if (!this.store?.isDirty) return;
    try {
      await this.store.save();
    } catch (err) {
      this.ctx.log.warn(`could not save the feature store ${this.store.file}: ${describeError(err)}`);
    }
  }
}

/** A full collection when Node runs with --expose-gc (SERVER_NODE_ARGS): once per index, when its garbage is all there is. */
function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}

function memoryMB(): { rss: number; heapUsed: number; cpuMs: number } {
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  return { rss: Math.round(m.rss / 2 ** 20), heapUsed: Math.round(m.heapUsed / 2 ** 20), cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
}
