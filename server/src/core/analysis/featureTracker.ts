// The feature tracker (paper §3.1): keeps the features of every element of the index current.
// Each element's code slice is hashed; an element whose slice (and its location) is unchanged
// reuses the stored result instead of being re-analyzed. When files change only the elements
// whose scope read them, or that were missing a class they now define, are analyzed again.
import { createHash } from 'node:crypto';
import type { ElementIndex, ElementInfo } from '../cpp/elementIndex';
import { collectScope } from '../cpp/scope';
import { buildSlice, type CodeSlice } from '../cpp/slice';
import { describeError, silentLogger, type Logger } from '../log';
import type { FeatureStore } from '../store/featureStore';
import type { SourceRecord } from '../store/schema';
import { FEATURE_NAMES, type ElementFeatures, type Provenance } from './features';
import { analyzeScope, ANALYZER_VERSION } from './analyzeElement';
import { threadingModel, type ThreadingVerdict } from './threading';
import { estimateWork } from '../solver/workEstimate';
import type { ElementSnapshot } from '../index/indexCache';

export interface TrackedElement {
  info: ElementInfo;
  slice: CodeSlice;
  /** The static analyzer's features. */
  features: ElementFeatures;
  /** Files the element's scope read. */
  files: string[];
  /** Base and state type names not found in the roots: a file that defines one re-analyzes the element. */
  missing: string[];
  /** True when the features came from the store because the slice had not changed. */
  reused: boolean;
  /** True when scope, slice and threading came from the persistent index's snapshot (nothing recomputed). */
  fromSnapshot?: boolean;
  /** Set when the analysis threw; features are then empty with confidence low. */
  error?: string;
  /** How the element's state behaves under several threads (recomputed from the scope, cheap). */
  threading?: ThreadingVerdict;
  /** The static work estimate of its slice (core/solver/workEstimate), kept in the snapshot so a warm start builds no slice for it. */
  work?: number;
}

export interface AnalyzeStats {
  elements: number;
  analyzed: number;
  reused: number;
  failed: number;
  ms: number;
}

export interface AnalyzeOptions {
  /** Click names to analyze; all when omitted. */
  only?: readonly string[];
  isCancelled?(): boolean;
  onProgress?(done: number, total: number): void;
}

export class FeatureTracker {
  private readonly tracked = new Map<string, TrackedElement>();
  /** How many element analyses actually ran (not reused from the store). */
  analysisRuns = 0;
  /** How many elements were taken from the persistent index's snapshots (no scope, slice nor threading computed). */
  snapshotHits = 0;

  constructor(
    readonly index: ElementIndex,
    readonly store: FeatureStore,
    private readonly log: Logger = silentLogger,
  ) {}

  async analyzeAll(options: AnalyzeOptions = {}): Promise<AnalyzeStats> {
    const t0 = Date.now();
    const wanted = options.only ? new Set(options.only) : undefined;
    const elements = this.index.elements().filter((e) => !wanted || wanted.has(e.clickName));
    const stats: AnalyzeStats = { elements: elements.length, analyzed: 0, reused: 0, failed: 0, ms: 0 };
    for (let i = 0; i < elements.length; i++) {
      if (options.isCancelled?.()) break;
      const t = this.analyzeOne(elements[i]);
      if (t.error) stats.failed++;
      else if (t.reused) stats.reused++;
      else stats.analyzed++;
      if (i % 25 === 24 || i === elements.length - 1) {
        options.onProgress?.(i + 1, elements.length);
        await new Promise<void>((res) => setImmediate(res));
      }
    }
    if (!wanted) {
      const names = new Set(this.index.elements().map((e) => e.clickName));
      for (const n of [...this.tracked.keys()]) if (!names.has(n)) this.tracked.delete(n);
      // The store keeps other elements' entries (another source tree's LLM answers): see FeatureStore.prune.
    }
    stats.ms = Date.now() - t0;
    return stats;
  }

  /**
   * Takes changed files into account (read from disk, or the given texts) and re-analyzes the
   * elements they affect. Returns the Click names whose features appeared, changed or went away.
   */
  async filesChanged(paths: readonly string[], texts: ReadonlyMap<string, string> = new Map()): Promise<string[]> {
    const changed: string[] = [];
    for (const p of paths) if (await this.index.updateFile(p, texts.get(p))) changed.push(p);
    if (!changed.length) return [];
    const changedSet = new Set(changed);
    const defined = new Set(changed.flatMap((p) => this.index.model(p)?.classes.map((c) => c.name) ?? []));
    const current = new Map(this.index.elements().map((e) => [e.clickName, e]));
    const out = new Set<string>();
    for (const [name, t] of this.tracked) {
      const info = current.get(name);
      if (!info) {
        this.tracked.delete(name);
        out.add(name);
        continue;
      }
      t.info = info;
      if (t.files.some((f) => changedSet.has(f)) || t.missing.some((m) => defined.has(m))) out.add(name);
    }
    for (const name of current.keys()) if (!this.tracked.has(name)) out.add(name);
    for (const name of out) {
      const info = current.get(name);
      if (!info) continue;
      const before = this.tracked.get(name);
      const after = this.analyzeOne(info);
      if (before && before.slice.hash === after.slice.hash && JSON.stringify(before.features) === JSON.stringify(after.features)) out.delete(name);
    }
    return [...out].sort();
  }

  /** Points every tracked element at the index's current element info (after ElementIndex.releaseModels). */
  rebind(): void {
    for (const t of this.tracked.values()) {
      const info = this.index.element(t.info.clickName);
      if (info && info.className === t.info.className && info.headerFile === t.info.headerFile) t.info = info;
    }
  }

  get(clickName: string): TrackedElement | undefined {
    return this.tracked.get(clickName);
  }

  /**
   * The element's tracked state, analyzing it now if it was not yet (the CLI's optimize analyzes
   * only the classes a configuration uses; the server analyzes the open documents' classes first).
   */
  ensure(clickName: string): TrackedElement | undefined {
    const t = this.tracked.get(clickName);
    if (t) return t;
    const info = this.index.element(clickName);
    return info ? this.analyzeOne(info) : undefined;
  }

  /** Analyzes these elements (found early, before the whole index is built: see ElementIndex.findElementsEarly). */
  analyzeElements(infos: readonly ElementInfo[]): TrackedElement[] {
    return infos.map((info) => this.tracked.get(info.clickName) ?? this.analyzeOne(info));
  }

  /** The persistent index's snapshot of a tracked element, under its key (the child process sends it with its early answers). */
  snapshot(clickName: string): [string, ElementSnapshot] | undefined {
    const t = this.tracked.get(clickName);
    const key = t && snapshotKey(t.info);
    const snap = key === undefined ? undefined : this.index.cache?.elementSnapshot(key);
    return key !== undefined && snap ? [key, snap] : undefined;
  }

  all(): TrackedElement[] {
    return [...this.tracked.values()].sort((a, b) => (a.info.clickName < b.info.clickName ? -1 : 1));
  }

  /**
   * The newest LLM record stored for the element's current slice (a record for an older slice is
   * stale and ignored), optionally for one model.
   */
  llmRecord(clickName: string, model?: string): { provenance: Provenance; record: SourceRecord } | undefined {
    const t = this.tracked.get(clickName);
    if (!t) return undefined;
    let best: { provenance: Provenance; record: SourceRecord } | undefined;
    for (const [prov, rec] of Object.entries(this.store.entry(clickName)?.sources ?? {}) as Array<[Provenance, SourceRecord]>) {
      if (!prov.startsWith('llm:') || rec.sliceHash !== t.slice.hash) continue;
      if (model && prov !== `llm:${model}`) continue;
      if (!best || rec.analyzedAt > best.record.analyzedAt) best = { provenance: prov, record: rec };
    }
    return best;
  }

  private analyzeOne(info: ElementInfo): TrackedElement {
    const key = snapshotKey(info);
    const fromSnapshot = this.fromSnapshot(info, key);
    if (fromSnapshot) {
      this.tracked.set(info.clickName, fromSnapshot);
      return fromSnapshot;
    }
    let tracked: TrackedElement;
    try {
      const scope = collectScope(this.index, info);
      const slice = buildSlice(scope);
      const files = [...scope.files].sort();
      const missing = [...scope.unresolvedBases.map((b) => b.replace(/<.*$/, '')), ...scope.stateTypes.filter((s) => !s.cls).map((s) => s.name)];
      const layoutHash = hashOf(JSON.stringify(slice.segments.map((s) => [this.index.displayPath(s.file), s.lines])));
      const meta = { className: info.className, files, sliceHash: slice.hash, sliceChars: slice.chars };
      const prev = this.store.source(info.clickName, 'static');
      if (prev && prev.sliceHash === slice.hash && prev.analyzerVersion === ANALYZER_VERSION && prev.layoutHash === layoutHash && isComplete(prev.features)) {
        this.store.touch(info.clickName, meta);
        tracked = { info, slice, features: prev.features, files, missing, reused: true, threading: threadingOf(scope, prev.features) };
      } else {
        const features = analyzeScope(scope).features;
        this.analysisRuns++;
        this.store.put(info.clickName, meta, 'static', {
          features,
          analyzedAt: new Date().toISOString(),
          sliceHash: slice.hash,
          analyzerVersion: ANALYZER_VERSION,
          layoutHash,
        });
        tracked = { info, slice, features, files, missing, reused: false, threading: threadingOf(scope, features) };
      }
      this.saveSnapshot(key, tracked, layoutHash);
    } catch (err) {
      this.log.error(`analysis of ${info.clickName} failed: ${describeError(err)}`);
      this.index.cache?.dropElementSnapshot(key);
      tracked = {
        info,
        slice: { text: '', hash: '', chars: 0, segments: [] },
        features: { stateful: false, flowKey: [], intensity: null, pointerChasing: false, stateObjects: [], evidence: [], confidence: 'low', unknown: [...FEATURE_NAMES] },
        files: [info.headerFile, ...info.sourceFiles],
        missing: [],
        reused: false,
        error: (err as Error)?.message ?? String(err),
      };
    }
    this.tracked.set(info.clickName, tracked);
    return tracked;
  }

  /**
   * The element as the persistent index's snapshot recorded it, when that still holds: same
   * analyzer, class and header, every file its scope read has the same content hash, and no file
   * was added for a type it found missing. Scope, slice and threading are then not recomputed;
   * the slice's text is built only when something reads it (the LLM, the work estimate).
   */
  private fromSnapshot(info: ElementInfo, key: string): TrackedElement | undefined {
    const snap = this.index.cache?.elementSnapshot(key);
    if (!snap || snap.analyzerVersion !== ANALYZER_VERSION || snap.className !== info.className || snap.headerFile !== info.headerFile) return undefined;
    if (!snap.files.every(([f, h]) => this.index.fileHash(f) === h)) return undefined;
    if (missingFilesOf(this.index, snap.missing).join('\n') !== snap.missingFiles.join('\n')) return undefined;
    const files = snap.files.map(([f]) => f);
    const meta = { className: info.className, files, sliceHash: snap.sliceHash, sliceChars: snap.sliceChars };
    const prev = this.store.source(info.clickName, 'static');
    let features: ElementFeatures;
    let inStore = false;
    if (prev && prev.sliceHash === snap.sliceHash && prev.analyzerVersion === ANALYZER_VERSION && prev.layoutHash === snap.layoutHash && isComplete(prev.features)) {
      features = prev.features;
      inStore = true;
      this.store.touch(info.clickName, meta);
    } else {
      // The store does not have it (the CLI's store in memory, or another store): the snapshot's copy is the same analysis.
      features = snap.features;
      this.store.put(info.clickName, meta, 'static', {
        features,
        analyzedAt: new Date().toISOString(),
        sliceHash: snap.sliceHash,
        analyzerVersion: ANALYZER_VERSION,
        layoutHash: snap.layoutHash,
      });
    }
    this.snapshotHits++;
    // `reused` says the store had them (what `analyze` reports as unchanged since the store).
    return {
      info,
      slice: lazySlice(this.index, info, snap.sliceHash, snap.sliceChars),
      features,
      files,
      missing: [...snap.missing],
      reused: inStore,
      fromSnapshot: true,
      threading: snap.threading,
      work: snap.work,
    };
  }

  private saveSnapshot(key: string, t: TrackedElement, layoutHash: string): void {
    if (t.slice.text) t.work = estimateWork(t.slice.text);
    const cache = this.index.cache;
    if (!cache) return;
    const files: Array<[string, string]> = [];
    for (const f of t.files) {
      const h = this.index.fileHash(f);
      if (h === undefined) return cache.dropElementSnapshot(key);
      files.push([f, h]);
    }
    cache.setElementSnapshot(key, {
      analyzerVersion: ANALYZER_VERSION,
      className: t.info.className,
      headerFile: t.info.headerFile,
      files,
      missing: t.missing,
      missingFiles: missingFilesOf(this.index, t.missing),
      sliceHash: t.slice.hash,
      sliceChars: t.slice.chars,
      layoutHash,
      features: t.features,
      threading: t.threading,
      ...(t.work !== undefined ? { work: t.work } : {}),
    });
  }
}

function snapshotKey(info: ElementInfo): string {
  return `${info.clickName}\0${info.headerFile}`;
}

/** Files the index lists for the missing type names (a new one may now define a type the element lacked). */
function missingFilesOf(index: ElementIndex, missing: readonly string[]): string[] {
  return [...new Set(missing.flatMap((m) => index.classFileList(m)))].sort();
}

/** A slice whose hash and size are known (from the snapshot) and whose text is built on first read. */
function lazySlice(index: ElementIndex, info: ElementInfo, hash: string, chars: number): CodeSlice {
  let built: CodeSlice | undefined;
  const build = (): CodeSlice => {
    if (built) return built;
    try {
      built = buildSlice(collectScope(index, info));
    } catch {
      // The analysis that made the snapshot read this scope; should it fail now, the slice is empty (as after a failed analysis).
      built = { text: '', hash, chars: 0, segments: [] };
    }
    return built;
  };
  return {
    hash,
    chars,
    get text() {
      return build().text;
    },
    get segments() {
      return build().segments;
    },
  };
}

function threadingOf(scope: ReturnType<typeof collectScope>, features: ElementFeatures): ThreadingVerdict {
  return threadingModel(
    scope,
    features.stateObjects.filter((o) => o.keyFields.length || o.writes !== 'none').flatMap((o) => o.name.split(' / ')),
  );
}

/** Static records always hold every part of ElementFeatures; anything less is recomputed. */
function isComplete(f: SourceRecord['features']): f is ElementFeatures {
  return Array.isArray(f.evidence) && Array.isArray(f.stateObjects) && Array.isArray(f.unknown) && typeof f.confidence === 'string';
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
