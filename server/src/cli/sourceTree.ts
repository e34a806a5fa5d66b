// What `analyze` and `optimize` share: check the --source roots, open the --store (or keep features
// in memory), index the C++ elements and analyze them, reporting warnings on stderr.
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { FeatureTracker, type AnalyzeStats } from '../core/analysis/featureTracker';
import { ElementIndex, type IndexStats } from '../core/cpp/elementIndex';
import { IndexCache } from '../core/index/indexCache';
import { FeatureStore } from '../core/store/featureStore';
import { CliError, type CliIO } from './command';
import { onInterrupt } from './interrupt';

const SAVE_DEBOUNCE_MS = 200;

/** Where the CLI keeps its persistent index (core/index/indexCache.ts), relative to the working directory. */
export const CLI_INDEX_CACHE_DIR = join('.flowmage', 'index');

export interface SourceTreeOptions {
  /** Click names to analyze now; all when omitted (unless `lazy`). */
  only?: string[];
  /** Analyze nothing up front: callers use tracker.ensure(name) for the classes they need. */
  lazy?: boolean;
  /** false: no persistent index; default `<cwd>/.flowmage/index`. */
  cache?: boolean;
  /** The element index's limit (from the settings). */
  maxFileBytes: number;
}

export interface SourceTree {
  tracker: FeatureTracker;
  store: FeatureStore;
  built: IndexStats;
  stats: AnalyzeStats;
  /** Writes the store when one was given (a failure is a usage/I-O error), and the index cache (a failure is a warning). */
  save(): Promise<void>;
  /**
   * Saves soon (debounced), so answers already paid for survive a crash or Ctrl-C; a failure is
   * a warning (the final save() reports it as an error).
   */
  saveSoon(): void;
  /** Stops saving on interrupt (call when the command is done). */
  dispose(): void;
}

export async function loadSourceTree(command: string, roots: string[], storePath: string | undefined, io: CliIO, options: SourceTreeOptions): Promise<SourceTree> {
  const only = options.lazy ? [] : options.only?.length ? options.only : undefined;
  for (const r of roots) {
    try {
      await fs.stat(r);
    } catch {
      throw new CliError(`${command}: source path ${r} does not exist`);
    }
  }
  const store = storePath ? await FeatureStore.open(resolve(io.cwd, storePath)) : FeatureStore.memory(io.cwd);
  for (const w of store.warnings) io.err(`flowmage: warning: ${w}\n`);
  const cache = options.cache === false ? undefined : await IndexCache.open(resolve(io.cwd, CLI_INDEX_CACHE_DIR));
  for (const w of cache?.warnings ?? []) io.err(`flowmage: warning: ${w}\n`);
  const index = await ElementIndex.create({ maxFileBytes: options.maxFileBytes, cache });
  // Not parsed up front: the analysis reads the models it needs (none for the element table when the cache holds it).
  const built = await index.build(roots, { parse: false });
  // Analyzing every element needs nearly every element file: parsed at once (in parse workers where
  // the machine has the cores for them: core/cpp/parsePool.ts).
  if (!only) await index.parseElementFiles();
  const tracker = new FeatureTracker(index, store);
  const stats = await tracker.analyzeAll({ only });
  const saveCache = async () => {
    if (!cache?.isDirty) return;
    const before = cache.warnings.length;
    await cache.save();
    for (const w of cache.warnings.slice(before)) io.err(`flowmage: warning: ${w}\n`);
  };
  await saveCache();
  // After the analysis: files it parsed on demand (bases, state types) may have been skipped too.
  for (const p of index.problems) io.err(`flowmage: warning: ${p}\n`);
  let timer: NodeJS.Timeout | undefined;
  const saveQuietly = () =>
    store.save().catch((err) => {
      io.err(`flowmage: warning: cannot write the store ${storePath}: ${(err as Error).message}\n`);
    });
  // Ctrl-C: write what is in memory (LLM answers received so far) before exiting.
  const offInterrupt = storePath
    ? onInterrupt(async () => {
        clearTimeout(timer);
        await saveQuietly();
      })
    : () => undefined;
  return {
    tracker,
    store,
    built,
    stats,
    async save() {
      clearTimeout(timer);
      // Files parsed since (bases and state types of lazily analyzed elements) join the cache.
      await saveCache();
      if (!storePath) return;
      try {
        await store.save();
      } catch (err) {
        throw new CliError(`${command}: cannot write the store ${storePath}: ${(err as Error).message}`);
      }
    },
    saveSoon() {
      if (!storePath || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void saveQuietly();
      }, SAVE_DEBOUNCE_MS);
    },
    dispose() {
      clearTimeout(timer);
      offInterrupt();
    },
  };
}
