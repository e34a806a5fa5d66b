// The index of C++ sources: which files define which classes, which classes are Click elements
// (class_name() returns their Click name), and lookups across files. Files are read and scanned
// with cheap regular expressions first; tree-sitter parses only the files an element needs (its
// own files, then its bases and state types, on demand), so a large tree indexes quickly.
import { createHash } from 'node:crypto';
import { closeSync, constants as fsConstants, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { CancelledError } from '../cancelled';
import type { CachedFile, ElementRow, ElementTable, FamilyFacts, IndexCache } from '../index/indexCache';
import { defaultSettings, settingId } from '../settings';
import { LineIndex } from '../text';
import { createParser, type RecoveringParser } from '../treeSitter';
import type { ElementDoc } from './docs';
import { exportAliasesIn } from './exportAliases';
import { extractCppFile, extractExportAliases, extractExports } from './extract';
import type { CppClass, CppFileModel, CppFunction } from './model';
import { decodeModel, type StoredModel } from './modelCodec';
import { deferBodies, type BodyFailure } from './deferredBodies';
import { deferModelConfigReads } from './deferredConfigReads';
import { ParseHelpers, type ParseJob } from './parsePool';
import { PARAMETERS_VERSION, resolveParameters, type ParameterList } from './parameters';
import { listSourceFiles, type SourceListing } from './sourceFiles';

/** The setting's default, when the caller gives no limit. */
const DEFAULT_MAX_FILE_KB = defaultSettings().index.maxFileSizeKB;
/** Files to parse from which parse helpers pay (below, starting them costs more than they save). */
const MIN_FILES_FOR_HELPERS = 32;

export interface IndexOptions {
  /** Files larger than this are skipped with a problem (their parse could exhaust the parser's memory). */
  maxFileBytes?: number;
  /** Whether to read the keyword arguments `configure()` accepts (default true). */
  parameters?: boolean;
  /** The persistent index (core/index/indexCache.ts): files unchanged since it was written are not read nor parsed. */
  cache?: IndexCache;
}

interface SourceText {
  /** The file's text (read on first use for a file the cache knew unchanged). */
  readonly text: string;
  mtimeMs: number;
  size: number;
  /** sha256 of the text. */
  hash: string;
  /** Click names `class_name()` returns literally (found before any parse). */
  clickNames: string[];
  /** Names of classes/structs the file seems to define (regex; may over-approximate). */
  classNames: Set<string>;
  /** Names before `::` in `Name::member(` (out-of-class definitions; may over-approximate). */
  owners: Set<string>;
  mentionsClassName: boolean;
  /** Names in EXPORT_ELEMENT(...). */
  exports: string[];
  /** `EXPORT_ELEMENT(Class-Name)`: [class, Click name]. */
  exportAliases: Array<[string, string]>;
  lines?: LineIndex;
}

/** What reading one file gave: its text, or why it was skipped. */
type ReadResult = { src: SourceText; problem?: undefined } | { src?: undefined; problem: string };

export interface ElementInfo {
  clickName: string;
  className: string;
  cls: CppClass;
  /** The file declaring the class. */
  headerFile: string;
  /** Files holding out-of-class definitions of its methods. */
  sourceFiles: string[];
  exported: boolean;
  doc?: ElementDoc & { file: string };
  /** Set when this Click name is a second name of another element (`EXPORT_ELEMENT(Class-Name)`). */
  aliasOf?: string;
}

export interface IndexProgress {
  phase: 'listing' | 'reading' | 'parsing';
  done: number;
  total: number;
}

export interface BuildOptions {
  onProgress?(p: IndexProgress): void;
  isCancelled?(): boolean;
  /** Parse helpers for parseElementFiles (parsePool.ts): 0 parses on this thread alone; default defaultParseWorkers() when there are many files. */
  workers?: number;
  /** Helpers started earlier (their runtime loads while the files are read); stopped if not needed. */
  helpers?: ParseHelpers;
  /** false: only list, read and scan; parseElementFiles() parses later (default true). */
  parse?: boolean;
  /**
   * Called once the files are listed, before any is read (the server may hand a cold index to a
   * child process then); reading waits for what it returns (the child's scans, put in the cache).
   */
  onListed?(files: readonly string[]): void | Promise<void>;
  /**
   * Another build of the same roots moments before (an ElementIndex fits): its listing, and each
   * file's size and mtime as it found them, are taken instead of listing and stating the tree again
   * (with no listing, the tree is listed and only the stats it has are taken). What changed since is
   * the watchers' to report.
   */
  previous?: PreviousBuild;
}

export interface PreviousBuild {
  readonly listing: SourceListing | undefined;
  fileStat(path: string): FileStat | undefined;
}

export interface FileStat {
  size: number;
  mtimeMs: number;
}

/** A model parsed elsewhere (a parse worker, the index's child process), as the pack's JSON, for the content hash it was parsed from. */
export interface ModelJson {
  path: string;
  hash: string;
  json: string;
}

export interface IndexStats {
  files: number;
  parsedFiles: number;
  /** Files whose entry the persistent cache still held (size and mtime unchanged): not read at start. */
  cachedFiles: number;
  elements: number;
  ms: number;
}

const CLASS_DEF_RE = /\b(?:class|struct)\s+(?:alignas\s*\([^)]*\)\s*)?(\w+)\s*(?:final\s*)?(?::[^;{()]*(?:\([^)]*\)[^;{()]*)*)?\{/g;
const OWNER_RE = /\b(\w+)(?:<[^<>;{}()]*(?:<[^<>;{}()]*>[^<>;{}()]*)*>)?::(~?\w+)\s*\(/g;

export { CancelledError };

export class ElementIndex {
  private readonly sources = new Map<string, SourceText>();
  private readonly parsed = new Map<string, CppFileModel>();
  /** Models parse workers produced (JSON, by path, with the content hash they were parsed from), decoded when first asked for. */
  private readonly prebuilt = new Map<string, { hash: string; json: string }>();
  private classFiles = new Map<string, string[]>();
  private ownerFiles = new Map<string, string[]>();
  private elementsByName = new Map<string, ElementInfo>();
  private elementsStale = true;
  private parameterLists = new Map<string, ParameterList | undefined>();
  /** Lists of classes found early, kept until the element table is built (each hover of a cold start would resolve them again). */
  private readonly earlyParameterLists = new Map<string, ParameterList>();
  private listingProblems: string[] = [];
  /** The listing of the last build's roots. */
  private listed: SourceListing | undefined;
  /** Files skipped (unreadable, not regular, too large, or failing analysis), with the reason. */
  private readonly skipped = new Map<string, string>();
  /** Files with a deferred body that could not be converted (read as none), and why. */
  private readonly bodyProblems = new Map<string, string>();
  private readonly bodyFailure: BodyFailure = (fn, err) => {
    if (!this.bodyProblems.has(fn.file))
      this.bodyProblems.set(fn.file, `the body of ${fn.name} cannot be analyzed (${err instanceof Error ? err.message : String(err)}); it is read as empty`);
  };
  private duplicateProblems: string[] = [];
  roots: string[] = [];
  private readonly maxFileBytes: number;
  private readonly withParameters: boolean;
  /** The persistent index, if any (the feature tracker keeps its element snapshots there). */
  readonly cache: IndexCache | undefined;
  private clickNameFiles = new Map<string, string[]>();
  /** Files naming each class in EXPORT_ELEMENT, in the order the files were listed. */
  private exportFiles = new Map<string, string[]>();
  /** What families need of each element (core/cpp/families.ts), from the stored table or computed once. */
  private familyFactsByName = new Map<string, FamilyFacts>();
  /** Values computed from the whole element table (perTable), dropped when the table is built again. */
  private readonly fromTable = new Map<string, unknown>();
  /** True when the element table came from the persistent index (no model was read to build it). */
  tableFromCache = false;
  /** Models parse helpers produced since the last build (parsePool.ts). */
  workerModels = 0;
  /** Parse helpers at work on this index's files, and the content hash of each file they were given. */
  private helpers: { pool: ParseHelpers; hashes: Map<string, string> } | undefined;
  /** Files this index parsed with its own parser (not taken from the cache, parse workers or the child process). */
  parsedHere = 0;
  /** Of those, files whose blanked bodies did not fit the tree (blankedBodies.ts): parsed a second time, whole. */
  parsedUnblanked = 0;
  /** treeSignature(), computed once per set of files and content hashes. */
  private signature: string | undefined;
  /** define()'s search of every file, by name (cleared when the files change). */
  private readonly definesFound = new Map<string, { value: string; file: string } | undefined>();
  /** Paths model() was asked for while withModelReads() runs. */
  private modelReads: Set<string> | undefined;

  private constructor(
    private readonly parser: RecoveringParser,
    options: IndexOptions,
  ) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_KB * 1024;
    this.withParameters = options.parameters ?? true;
    this.cache = options.cache;
  }

  /** `parameters: false` skips the configuration reads (the bench measures what they cost). */
  static async create(options: IndexOptions = {}): Promise<ElementIndex> {
    return new ElementIndex(await createParser('cpp'), options);
  }

  /** Problems worth telling the user: missing roots, skipped files, duplicate Click names. */
  get problems(): string[] {
    if (this.elementsStale) this.collectElements();
    return [
      ...this.listingProblems,
      ...[...this.skipped].map(([f, why]) => `${this.displayPath(f)} skipped: ${why}`),
      ...[...this.bodyProblems].map(([f, why]) => `${this.displayPath(f)}: ${why}`),
      ...this.duplicateProblems,
    ];
  }

  /** The size and mtime this index read `path` with (its scan's, when it came from the cache). */
  fileStat(path: string): FileStat | undefined {
    const src = this.sources.get(path);
    return src && { size: src.size, mtimeMs: src.mtimeMs };
  }

  /** The files the last build listed under its roots (with the roots it could not read). */
  get listing(): SourceListing | undefined {
    return this.listed;
  }

  /** Files that were skipped and why, in the order met. */
  skippedFiles(): Array<{ file: string; reason: string }> {
    return [...this.skipped].map(([file, reason]) => ({ file, reason }));
  }

  /** Lists, reads and scans every C++ file under `roots`, then parses the files that define elements. */
  async build(roots: readonly string[], options: BuildOptions = {}): Promise<IndexStats> {
    const t0 = Date.now();
    const cancelled = options.isCancelled ?? (() => false);
    this.roots = [...roots];
    this.stopParseHelpers();
    this.sources.clear();
    this.parsed.clear();
    this.prebuilt.clear();
    this.workerModels = 0;
    this.skipped.clear();
    this.bodyProblems.clear();
    options.onProgress?.({ phase: 'listing', done: 0, total: 0 });
    const previous = options.previous;
    const listing = previous?.listing ?? (await listSourceFiles(roots, cancelled));
    if (cancelled()) throw new CancelledError();
    this.listed = listing;
    this.listingProblems = [...listing.problems];
    const files = listing.files;
    await options.onListed?.(files);
    if (cancelled()) throw new CancelledError();
    // Read synchronously in batches, yielding between them so requests are still answered.
    const BATCH = 32;
    let cachedFiles = 0;
    for (let i = 0; i < files.length; i += BATCH) {
      if (cancelled()) throw new CancelledError();
      const batch = files.slice(i, i + BATCH);
      const read = batch.map((f) => this.readWithCache(f, previous?.fileStat(f)));
      read.forEach((r, j) => {
        if (r.src) this.sources.set(batch[j], r.src);
        else this.skipped.set(batch[j], r.problem);
        if (r.cached) cachedFiles++;
      });
      options.onProgress?.({ phase: 'reading', done: Math.min(i + BATCH, files.length), total: files.length });
      await yieldToEventLoop();
    }
    this.cache?.retain(new Set(this.sources.keys()), this.roots);
    this.rebuildNameMaps();
    this.markStale();
    if (options.parse !== false) await this.parseElementFiles(options);
    return { files: this.sources.size, parsedFiles: this.parsed.size, cachedFiles, elements: options.parse === false ? 0 : this.elements().length, ms: Date.now() - t0 };
  }

  /** Parses (or takes from the cache) every file that defines an element; yields to the event loop as it goes. */
  async parseElementFiles(options: BuildOptions = {}): Promise<void> {
    const cancelled = options.isCancelled ?? (() => false);
    // The persistent index holds the element table for these very files: models are read when asked for.
    const stored = this.storedTable();
    if (stored) {
      options.helpers?.stop();
      return this.restoreElements(stored.rows, stored.problems);
    }
    const elementFiles = this.elementFilesInOrder();
    this.startParsing(options);
    for (let i = 0; i < elementFiles.length; i++) {
      if (cancelled()) {
        this.stopParseHelpers();
        throw new CancelledError();
      }
      this.model(elementFiles[i]);
      if (i % 16 === 0 || i === elementFiles.length - 1) {
        options.onProgress?.({ phase: 'parsing', done: i + 1, total: elementFiles.length });
        await yieldToEventLoop();
      }
    }
    this.markStale();
  }

  /** The element table must be built again; what was resolved before it (early parameter lists) goes with it. */
  private markStale(): void {
    this.elementsStale = true;
    this.earlyParameterLists.clear();
  }

  /** Whether the persistent index holds the element table for exactly the files indexed now (a warm start). */
  hasStoredTable(): boolean {
    return this.storedTable() !== undefined;
  }

  /** Element files parseElementFiles() would parse: neither memory nor the cache holds their model. */
  elementFilesToParse(): number {
    let n = 0;
    for (const [path, src] of this.sources) if (src.mentionsClassName && !this.modelAtHand(path, src)) n++;
    return n;
  }

  /** Whether model() can give the file's model without a parse (in memory, from parse workers, or in the cache). */
  private modelAtHand(path: string, src: SourceText): boolean {
    return this.parsed.has(path) || this.prebuilt.has(path) || (this.withParameters && !!this.cache?.hasModel(path, src.hash));
  }

  /**
   * Gives parse helpers the element files, and the files defining their classes' methods, that
   * neither memory nor the cache holds: most of a cold index. They take files from the end of the
   * list while this thread goes through the elements from the start; model() takes a helper's
   * model, or claims the file and parses it here (parsePool.ts). Does nothing when helpers already
   * run for this build or the element table is stored.
   */
  private startParsing(options: BuildOptions): void {
    const given = options.helpers;
    if (this.helpers) {
      if (given && given !== this.helpers.pool) given.stop();
      return;
    }
    if (options.workers === 0 || !this.withParameters || this.storedTable()) return given?.stop();
    // In the order this thread needs them: each element file, then the files defining its classes' methods.
    const wanted = new Set<string>();
    for (const f of this.elementFilesInOrder()) {
      wanted.add(f);
      for (const c of this.sources.get(f)!.classNames) for (const o of this.ownerFiles.get(c) ?? []) wanted.add(o);
    }
    const jobs: ParseJob[] = [];
    for (const f of wanted) {
      const src = this.sources.get(f)!;
      if (this.modelAtHand(f, src)) continue;
      jobs.push({ path: f, text: src.text, mtimeMs: src.mtimeMs, size: src.size });
    }
    const pool = jobs.length >= MIN_FILES_FOR_HELPERS ? (given ?? ParseHelpers.start(options.workers)) : undefined;
    if (!pool) return given?.stop();
    pool.assign(jobs);
    const helpers = { pool, hashes: new Map(jobs.map((j) => [j.path, this.sources.get(j.path)!.hash])) };
    this.helpers = helpers;
    // Helpers end when no file is left: what they finished and nobody asked for yet is kept as JSON.
    void pool.whenEnded().then(() => {
      if (this.helpers === helpers) this.stopParseHelpers();
    });
  }

  /** The files that may define elements, in the order the element table takes them (of two elements of one name, the first wins). */
  private elementFilesInOrder(): string[] {
    return [...this.sources.keys()].filter((f) => this.sources.get(f)!.mentionsClassName).sort(byDriverThenPath);
  }

  /** Stops the parse helpers, if any run, keeping the models they finished. */
  stopParseHelpers(): void {
    const helpers = this.helpers;
    if (!helpers) return;
    this.helpers = undefined;
    const finished = helpers.pool.takeFinished();
    helpers.pool.stop();
    this.workerModels += this.adoptModels(finished.map(({ path, json }) => ({ path, hash: helpers.hashes.get(path)!, json })));
  }

  /** A model parsed elsewhere, from its JSON (throws when it is not a model of this file); the pack keeps the JSON. */
  private fromJson(path: string, src: SourceText, json: string): CppFileModel {
    const m = this.withSource(decodeModel(json, path), src);
    this.cache?.setModelJson(path, src.hash, json);
    return m;
  }

  /** A model decoded from JSON, with its file's text and the conversion of its deferred bodies. */
  private withSource(model: StoredModel, src: SourceText): CppFileModel {
    const m = withText(model, src);
    deferBodies(m, this.parser, this.bodyFailure);
    deferModelConfigReads(m, this.parser);
    return m;
  }

  /** A helper's model of `path` (waiting for it if a helper is parsing it), or undefined: then the file is this thread's to parse. */
  private fromParseHelpers(path: string, src: SourceText): CppFileModel | undefined {
    const helpers = this.helpers;
    if (!helpers || helpers.hashes.get(path) !== src.hash) return undefined;
    const json = helpers.pool.take(path);
    if (json === undefined) return undefined;
    try {
      const m = this.fromJson(path, src, json);
      this.workerModels++;
      return m;
    } catch {
      return undefined;
    }
  }

  /**
   * Elements by Click name, found before the whole element table is built: only the files whose
   * `class_name()` returns the name are parsed (the start-up analyzes the classes of the open
   * .click documents first). Once the table is built it answers instead (duplicates, inherited
   * names and aliases are only resolved there).
   */
  findElementsEarly(clickNames: Iterable<string>): ElementInfo[] {
    const out: ElementInfo[] = [];
    if (!this.elementsStale) {
      for (const n of clickNames) {
        const e = this.elementsByName.get(n);
        if (e) out.push(e);
      }
      return out;
    }
    for (const name of new Set(clickNames)) {
      const files = [...(this.clickNameFiles.get(name) ?? [])].sort(byDriverThenPath);
      for (const f of files) {
        const cls = this.model(f)?.classes.find((c) => c.clickName === name && c.templateParams.length === 0);
        if (!cls) continue;
        const sourceFiles = [...new Set(this.definitions(cls.name).map((d) => d.file))].filter((x) => x !== f);
        out.push({ clickName: name, className: cls.name, cls, headerFile: f, sourceFiles, exported: this.exportFiles.has(cls.name), doc: this.findDoc(name, [f, ...sourceFiles]) });
        break;
      }
    }
    return out;
  }

  /** Reads a file, or (the cache knowing it unchanged by size and mtime) only stats it and reads it when first needed. */
  private readWithCache(path: string, known?: FileStat): ReadResult & { cached?: boolean } {
    const cache = this.cache;
    // A file the cache does not know (all of them on a cold start) is read without a stat first.
    if (cache?.entry(path)) {
      try {
        const st = known ?? regularFileStat(path);
        const hit = st && st.size <= this.maxFileBytes ? cache.fresh(path, st.size, st.mtimeMs) : undefined;
        if (hit) return { src: this.lazySource(path, hit), cached: true };
      } catch {
        // readSource says why
      }
    }
    const r = readSource(path, this.maxFileBytes);
    if (r.src && cache) cache.put(path, cachedFileOf(r.src));
    return r;
  }

  /** A source whose text is read on first use; should the file have changed since, its cached model is dropped. */
  private lazySource(path: string, cached: CachedFile): SourceText {
    let text: string | undefined;
    const { sources } = this;
    const forgetOldContent = () => {
      this.forgetModel(path);
      this.forgetTextDerived();
    };
    return {
      get text() {
        if (text !== undefined) return text;
        try {
          text = readFileSync(path, 'utf8');
        } catch {
          text = '';
        }
        const hash = hashText(text);
        if (hash !== cached.hash && sources.get(path) === this) {
          // Changed since the stat: the watcher re-indexes it; meanwhile nothing cached for other content is used.
          this.hash = hash;
          forgetOldContent();
        }
        return text;
      },
      mtimeMs: cached.mtimeMs,
      size: cached.size,
      hash: cached.hash,
      clickNames: cached.scan.clickNames,
      classNames: new Set(cached.scan.classNames),
      owners: new Set(cached.scan.owners),
      mentionsClassName: cached.scan.mentionsClassName,
      exports: cached.scan.exports,
      exportAliases: cached.scan.exportAliases,
    };
  }

  /**
   * Replaces one file's content (read from disk when `text` is undefined; removed when the file is
   * gone). Returns false when nothing changed.
   */
  async updateFile(path: string, text?: string): Promise<boolean> {
    const read: ReadResult =
      text === undefined
        ? readSource(path, this.maxFileBytes)
        : text.length > this.maxFileBytes
          ? { problem: tooLarge(text.length, this.maxFileBytes) }
          : { src: scanSource(text, Date.now(), text.length) };
    const src = read.src;
    if (src && this.cache) this.cache.put(path, cachedFileOf(src));
    const old = this.sources.get(path);
    if (!src) {
      if (read.problem.startsWith('does not exist')) this.skipped.delete(path);
      else this.skipped.set(path, read.problem);
      if (!old) return false;
      this.sources.delete(path);
      this.forgetModel(path);
    } else {
      if (old && old.hash === src.hash && old.text === src.text) return false;
      this.skipped.delete(path);
      this.sources.set(path, src);
      this.forgetModel(path);
      if (src.mentionsClassName) this.model(path);
    }
    this.rebuildNameMaps();
    this.markStale();
    return true;
  }

  /** Drops what this index holds of `path`'s model (its content changed or it is gone). */
  private forgetModel(path: string): void {
    this.parsed.delete(path);
    this.prebuilt.delete(path);
    this.bodyProblems.delete(path);
  }

  removeFile(path: string): boolean {
    const had = this.sources.delete(path) || this.skipped.delete(path);
    this.skipped.delete(path);
    this.forgetModel(path);
    if (had) {
      this.rebuildNameMaps();
      this.markStale();
    }
    return had;
  }

  hasFile(path: string): boolean {
    return this.sources.has(path);
  }

  /** The content hash of an indexed file (known from the cache without reading the file). */
  fileHash(path: string): string | undefined {
    return this.sources.get(path)?.hash;
  }

  /** Files the cheap scan says may define a class named `name` (its simple name). */
  classFileList(name: string): readonly string[] {
    return this.classFiles.get(name.split('::').pop()!) ?? [];
  }

  get fileCount(): number {
    return this.sources.size;
  }

  get parsedCount(): number {
    return this.parsed.size;
  }

  /** The parsed model of a file (parsing it now if needed); undefined when the file is not indexed. */
  model(path: string): CppFileModel | undefined {
    this.modelReads?.add(path);
    let m = this.parsed.get(path);
    if (m) return m;
    const src = this.sources.get(path);
    if (!src) return undefined;
    const cached = this.withParameters ? this.cache?.model(path, src.hash) : undefined;
    if (cached) {
      m = this.withSource(cached, src);
      this.parsed.set(path, m);
      return m;
    }
    const pre = this.prebuilt.get(path);
    if (pre) {
      this.prebuilt.delete(path);
      try {
        if (pre.hash !== src.hash) throw new Error('the file changed since');
        m = this.fromJson(path, src, pre.json);
        this.parsed.set(path, m);
        return m;
      } catch {
        // Parsed again below, here.
      }
    }
    m = this.fromParseHelpers(path, src);
    if (m) {
      this.parsed.set(path, m);
      return m;
    }
    try {
      this.parsedHere++;
      m = extractCppFile(this.parser, path, src.text, {
        mtimeMs: src.mtimeMs,
        size: src.size,
        parameters: this.withParameters,
        deferBodies: true,
        onBodyFailure: this.bodyFailure,
        onBlankingMismatch: () => this.parsedUnblanked++,
      });
      if (this.withParameters) this.cache?.setModel(path, src.hash, m);
    } catch (err) {
      // One file that cannot be analyzed (parser abort, nesting too deep, a bug) must not take the
      // others down: it is skipped, and said so.
      this.skipped.set(path, `cannot be analyzed (${err instanceof Error ? err.message : String(err)})`);
      m = extractCppFile({ parse: () => null }, path, '');
    }
    this.parsed.set(path, m);
    return m;
  }

  /** Runs `fn` and says which files' models it asked for (the child process sends those models with its early answers). */
  withModelReads<T>(fn: () => T): { value: T; paths: string[] } {
    const outer = this.modelReads;
    const reads = new Set<string>();
    this.modelReads = reads;
    try {
      const value = fn();
      return { value, paths: [...reads] };
    } finally {
      this.modelReads = outer;
      if (outer) for (const p of reads) outer.add(p);
    }
  }

  /**
   * Models parsed elsewhere for files this index holds, kept as JSON until model() asks for them;
   * one whose file this index read with other content is ignored. Returns how many were taken.
   */
  adoptModels(models: Iterable<ModelJson>): number {
    let n = 0;
    for (const { path, hash, json } of models) {
      if (this.sources.get(path)?.hash !== hash || this.parsed.has(path) || this.prebuilt.has(path)) continue;
      this.prebuilt.set(path, { hash, json });
      n++;
    }
    return n;
  }

  /** Line starts of an indexed file, computed once per text (slices and evidence need them per element). */
  lineIndex(path: string): LineIndex {
    const src = this.sources.get(path);
    if (!src) return new LineIndex('');
    src.lines ??= new LineIndex(src.text);
    return src.lines;
  }

  text(path: string): string | undefined {
    return this.sources.get(path)?.text;
  }

  elements(): ElementInfo[] {
    if (this.elementsStale) this.collectElements();
    return [...this.elementsByName.values()];
  }

  /**
   * `compute()` once per element table, under `key`: for what depends on every element (an
   * element's family, families.ts), which a configuration's analysis asks for on every edit.
   */
  perTable<T>(key: string, compute: () => T): T {
    if (this.elementsStale) this.collectElements();
    if (this.fromTable.has(key)) return this.fromTable.get(key) as T;
    const value = compute();
    this.fromTable.set(key, value);
    return value;
  }

  element(clickName: string): ElementInfo | undefined {
    if (this.elementsStale) this.collectElements();
    return this.elementsByName.get(clickName);
  }

  /**
   * The keyword arguments an element's configure() accepts (see parameters.ts), by Click name as
   * written in a .click file (a C++ class name works too); undefined for a class the index lacks.
   */
  parameters(className: string): ParameterList | undefined {
    // While the element table is not built (a cold start, the first hovers), a class found early
    // answers without parsing the whole tree; its list is kept only until the table is built (which
    // may resolve the name otherwise).
    if (this.elementsStale && this.earlyParameterLists.has(className)) return this.earlyParameterLists.get(className);
    const early = this.elementsStale ? this.findElementsEarly([className])[0] : undefined;
    if (early) {
      const list = this.resolveParameterList(early);
      this.earlyParameterLists.set(className, list);
      return list;
    }
    if (this.elementsStale) this.collectElements();
    if (this.parameterLists.has(className)) return this.parameterLists.get(className);
    const info = this.element(className) ?? this.elements().find((e) => e.className === className);
    const list = info ? (this.storedParameterList(info.clickName) ?? this.resolveAndStore(info)) : undefined;
    this.parameterLists.set(className, list);
    return list;
  }

  /**
   * Keyword-argument lists resolved elsewhere for these files (the child's early answers), kept
   * like the lists this index resolves early: until the element table is built.
   */
  adoptEarlyParameterLists(lists: ReadonlyArray<readonly [string, ParameterList]>): void {
    if (!this.elementsStale) return;
    for (const [name, list] of lists) if (!this.earlyParameterLists.has(name)) this.earlyParameterLists.set(name, list);
  }

  /** The list stored with the element table of these very files (a warm start, or the child's pack), if any. */
  private storedParameterList(clickName: string): ParameterList | undefined {
    const stored = this.storedTable()?.parameterLists;
    return stored?.version === PARAMETERS_VERSION ? stored.byName[clickName] : undefined;
  }

  /** Resolves an element's list and stores it with the element table, for the next start on the same files. */
  private resolveAndStore(info: ElementInfo): ParameterList {
    const list = this.resolveParameterList(info);
    const cache = this.withParameters ? this.cache : undefined;
    if (cache && this.roots.length) cache.setParameterList(this.roots.join('\n'), this.treeSignature(), PARAMETERS_VERSION, info.clickName, list);
    return list;
  }

  private resolveParameterList(info: ElementInfo): ParameterList {
    try {
      return resolveParameters(this, info.cls, info.doc?.items ?? []);
    } catch (err) {
      // Code the resolver did not foresee must not take a hover or `analyze --json` down with it.
      return { completeness: 'partial', parameters: [], reasons: [`the configuration could not be read: ${err instanceof Error ? err.message : String(err)}`] };
    }
  }

  /** Elements whose class is declared in `path` (for hovers and code lenses in that file). */
  elementsInFile(path: string): ElementInfo[] {
    return this.elements().filter((e) => e.headerFile === path);
  }

  /**
   * Classes named `name` (simple or qualified), best match first for code in `fromFile`: same file,
   * then same directory, then the longest shared path prefix; only those defined in files `inFile`
   * accepts, when given.
   */
  findClasses(name: string, fromFile?: string, inFile?: (file: string) => boolean): CppClass[] {
    return [...this.classesNamed(name, fromFile, inFile)];
  }

  /**
   * The first of findClasses() that `accept` takes (any, by default). Files are parsed in the
   * order of the answer and only until it is found: a name defined across the tree (a class of the
   * simulator, another of a GUI) costs the nearest file, not all of them.
   */
  findClass(name: string, fromFile?: string, accept?: (cls: CppClass) => boolean): CppClass | undefined {
    for (const c of this.classesNamed(name, fromFile)) if (!accept || accept(c)) return c;
    return undefined;
  }

  private *classesNamed(name: string, fromFile?: string, inFile?: (file: string) => boolean): Generator<CppClass> {
    const simple = name.split('::').pop()!;
    // A class is in the file that defines it: the files `inFile` refuses are not parsed to find out.
    let files = this.classFiles.get(simple) ?? [];
    if (inFile) files = files.filter(inFile);
    if (fromFile && files.length > 1) files = [...files].sort((a, b) => closeness(b, fromFile) - closeness(a, fromFile));
    for (const f of files) {
      const m = this.model(f);
      for (const c of (m && lookups(m).classes.get(simple)) ?? []) {
        if (name === simple || c.qualifiedName.endsWith(name)) yield c;
      }
    }
  }

  /** Out-of-class definitions of `owner::name` (all methods of `owner` when name is omitted). */
  definitions(owner: string, name?: string): CppFunction[] {
    const out: CppFunction[] = [];
    for (const f of this.ownerFiles.get(owner) ?? []) {
      // A file that never writes `::name` cannot define it: do not parse it to find out.
      if (name && !this.parsed.has(f) && !this.sources.get(f)?.text.includes(`::${name}`)) continue;
      const m = this.model(f);
      for (const fn of (m && lookups(m).byOwner.get(owner)) ?? []) if (!name || fn.name === name) out.push(fn);
    }
    return out;
  }

  /** Free functions named `name` defined in `files`. */
  freeFunctions(name: string, files: Iterable<string>): CppFunction[] {
    const out: CppFunction[] = [];
    for (const f of files) {
      const m = this.model(f);
      for (const fn of (m && lookups(m).free.get(name)) ?? []) out.push(fn);
    }
    return out;
  }

  /** A string `#define`, preferring the given files. */
  define(name: string, preferFiles: readonly string[] = []): { value: string; file: string } | undefined {
    for (const f of preferFiles) {
      const v = this.model(f)?.defines[name];
      if (v !== undefined) return { value: v, file: f };
    }
    // The search of every file is done once per name (until a file changes): a name defined
    // nowhere, the common case, would otherwise scan the whole tree's text each time.
    if (this.definesFound.has(name)) return this.definesFound.get(name);
    let found: { value: string; file: string } | undefined;
    for (const [f, src] of this.sources) {
      if (!src.text.includes(name)) continue;
      const v = this.model(f)?.defines[name];
      if (v !== undefined) {
        found = { value: v, file: f };
        break;
      }
    }
    this.definesFound.set(name, found);
    return found;
  }

  displayPath(file: string): string {
    for (const r of this.roots) {
      const rel = relative(r, file);
      if (rel && !rel.startsWith('..')) return rel;
    }
    return file;
  }

  /** What was derived from the files' texts (the tree signature, define() searches): computed again when next asked. */
  private forgetTextDerived(): void {
    this.signature = undefined;
    this.definesFound.clear();
  }

  private rebuildNameMaps(): void {
    this.forgetTextDerived();
    const classFiles = new Map<string, string[]>();
    const ownerFiles = new Map<string, string[]>();
    const files = [...this.sources.keys()].sort();
    for (const f of files) {
      const src = this.sources.get(f)!;
      for (const c of src.classNames) push(classFiles, c, f);
      for (const o of src.owners) push(ownerFiles, o, f);
    }
    this.classFiles = classFiles;
    this.ownerFiles = ownerFiles;
    const clickNameFiles = new Map<string, string[]>();
    for (const f of files) for (const n of this.sources.get(f)!.clickNames) push(clickNameFiles, n, f);
    this.clickNameFiles = clickNameFiles;
    const exportFiles = new Map<string, string[]>();
    for (const [f, src] of this.sources) for (const x of src.exports) push(exportFiles, x, f);
    this.exportFiles = exportFiles;
  }

  /**
   * Drops the parsed models the persistent index can give back, and takes the element table from
   * it (classes read again when asked for): the server calls it once the pack is written, so a
   * cold start does not keep every model in memory. Returns false when the cache lacks the table.
   */
  releaseModels(): boolean {
    const cache = this.cache;
    const stored = this.storedTable();
    if (!cache || !stored) return false;
    this.restoreElements(stored.rows, stored.problems);
    for (const [path, src] of this.sources) if (this.parsed.has(path) && cache.hasModel(path, src.hash)) this.parsed.delete(path);
    return true;
  }

  /** What families of elements need of one element (its aliases, bases and see-also names). */
  familyFacts(info: ElementInfo): FamilyFacts {
    const known = this.familyFactsByName.get(info.clickName);
    if (known && this.elementsByName.get(info.clickName) === info) return known;
    const aliases: string[] = [];
    for (const file of [info.headerFile, ...info.sourceFiles]) {
      // The scan saw every EXPORT_ELEMENT: a file without one is not read.
      if (!this.sources.get(file)?.exports.length) continue;
      aliases.push(...exportAliasesIn(this.text(file) ?? '', info.className));
    }
    const facts: FamilyFacts = { aliases, bases: info.cls.bases.map((b) => b.name), seeAlso: info.doc?.seeAlso ?? [] };
    if (this.elementsByName.get(info.clickName) === info) this.familyFactsByName.set(info.clickName, facts);
    return facts;
  }

  /** Hash of every indexed file's path and content hash, and the roots: the element table depends on nothing else. */
  private treeSignature(): string {
    if (this.signature) return this.signature;
    const h = createHash('sha256');
    h.update(JSON.stringify(this.roots));
    for (const f of [...this.sources.keys()].sort()) h.update(`${f}\0${this.sources.get(f)!.hash}\n`);
    this.signature = h.digest('hex');
    return this.signature;
  }

  /** The element table the persistent index stored for exactly these files, if any. */
  private storedTable(): ElementTable | undefined {
    const cache = this.withParameters ? this.cache : undefined;
    return cache && this.roots.length ? cache.elementTable(this.roots.join('\n'), this.treeSignature()) : undefined;
  }

  private collectElements(): void {
    const stored = this.storedTable();
    if (stored) return this.restoreElements(stored.rows, stored.problems);
    const cache = this.withParameters ? this.cache : undefined;
    const signature = cache && this.roots.length ? this.treeSignature() : undefined;
    this.tableFromCache = false;
    this.familyFactsByName.clear();
    const byName = new Map<string, ElementInfo>();
    const problems: string[] = [];
    const files = this.elementFilesInOrder();
    for (const f of files) {
      const m = this.model(f);
      if (!m) continue;
      for (const cls of m.classes) {
        if (!cls.clickName || cls.templateParams.length > 0) continue;
        const existing = byName.get(cls.clickName);
        if (existing) {
          problems.push(`duplicate element ${cls.clickName}: ${this.displayPath(existing.headerFile)} and ${this.displayPath(f)}; using the first`);
          continue;
        }
        const sourceFiles = [...new Set(this.definitions(cls.name).map((d) => d.file))].filter((x) => x !== f);
        byName.set(cls.clickName, {
          clickName: cls.clickName,
          className: cls.name,
          cls,
          headerFile: f,
          sourceFiles,
          exported: this.exportFiles.has(cls.name),
          doc: this.findDoc(cls.clickName, [f, ...sourceFiles]),
        });
      }
    }
    this.parameterLists.clear();
    this.earlyParameterLists.clear();
    this.addInheritedNames(byName, this.exportFiles);
    this.addExportAliases(byName);
    this.elementsByName = new Map([...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    this.fromTable.clear();
    this.duplicateProblems = problems;
    this.elementsStale = false;
    if (signature) {
      const rows: ElementRow[] = [...this.elementsByName.values()].map((e) => ({
        clickName: e.clickName,
        className: e.className,
        nameStart: e.cls.nameStart,
        headerFile: e.headerFile,
        sourceFiles: e.sourceFiles,
        exported: e.exported,
        ...(e.aliasOf ? { aliasOf: e.aliasOf } : {}),
        docName: e.aliasOf ?? e.clickName,
        family: this.familyFacts(e),
      }));
      cache!.setElementTable(this.roots.join('\n'), { signature, rows, problems });
    }
  }

  /**
   * The element table as the persistent index stored it for the same files: each element's class
   * and documentation are read from its header's model only when something asks for them.
   */
  private restoreElements(rows: readonly ElementRow[], problems: readonly string[]): void {
    const byName = new Map<string, ElementInfo>();
    this.familyFactsByName.clear();
    for (const r of rows) {
      const info = { clickName: r.clickName, className: r.className, headerFile: r.headerFile, sourceFiles: r.sourceFiles, exported: r.exported } as ElementInfo;
      if (r.aliasOf) info.aliasOf = r.aliasOf;
      Object.defineProperty(info, 'cls', {
        enumerable: true,
        configurable: true,
        get: () => {
          const classes = this.model(r.headerFile)?.classes ?? [];
          const cls = classes.find((c) => c.name === r.className && c.nameStart === r.nameStart) ?? classes.find((c) => c.name === r.className);
          if (!cls) throw new Error(`class ${r.className} is no longer in ${this.displayPath(r.headerFile)}`);
          Object.defineProperty(info, 'cls', { value: cls, enumerable: true, configurable: true, writable: true });
          return cls;
        },
      });
      Object.defineProperty(info, 'doc', {
        enumerable: true,
        configurable: true,
        get: () => {
          const doc = this.findDoc(r.docName, [r.headerFile, ...r.sourceFiles]);
          Object.defineProperty(info, 'doc', { value: doc, enumerable: true, configurable: true, writable: true });
          return doc;
        },
      });
      byName.set(r.clickName, info);
      this.familyFactsByName.set(r.clickName, r.family);
    }
    this.parameterLists.clear();
    this.earlyParameterLists.clear();
    this.elementsByName = byName;
    this.fromTable.clear();
    this.duplicateProblems = [...problems];
    this.elementsStale = false;
    this.tableFromCache = true;
  }

  /**
   * An exported class without a `class_name()` of its own takes its Click name from the nearest
   * base that has one (`class CounterMP : public CounterMPBase<nolock>`, whose template base names
   * it), unless another element already has that name.
   */
  private addInheritedNames(byName: Map<string, ElementInfo>, exported: Map<string, string[]>): void {
    const known = new Set([...byName.values()].map((e) => e.className));
    for (const [name, files] of exported) {
      if (known.has(name)) continue;
      const cls = this.findClass(name, files[0], (c) => !c.clickName && c.templateParams.length === 0);
      if (!cls) continue;
      const clickName = this.inheritedClickName(cls, new Set());
      if (!clickName || byName.has(clickName)) continue;
      const sourceFiles = [...new Set(this.definitions(cls.name).map((d) => d.file))].filter((x) => x !== cls.file);
      byName.set(clickName, { clickName, className: cls.name, cls, headerFile: cls.file, sourceFiles, exported: true, doc: this.findDoc(clickName, [cls.file, ...sourceFiles]) });
    }
  }

  private inheritedClickName(cls: CppClass, seen: Set<CppClass>): string | undefined {
    if (seen.has(cls) || seen.size > 16) return undefined;
    seen.add(cls);
    for (const b of cls.bases) {
      const base = this.findClass(b.name.replace(/<.*$/, '').trim(), cls.file);
      if (!base) continue;
      const found = base.clickName ?? this.inheritedClickName(base, seen);
      if (found) return found;
    }
    return undefined;
  }

  /** Second Click names from `EXPORT_ELEMENT(Class-Name)`: the same element under another name. */
  private addExportAliases(byName: Map<string, ElementInfo>): void {
    const byClass = new Map<string, ElementInfo>();
    for (const e of byName.values()) if (!byClass.has(e.className)) byClass.set(e.className, e);
    for (const src of this.sources.values()) {
      for (const [cls, alias] of src.exportAliases) {
        const target = byClass.get(cls);
        if (target && !byName.has(alias)) byName.set(alias, { ...target, clickName: alias, aliasOf: target.clickName });
      }
    }
  }

  private findDoc(clickName: string, files: string[]): (ElementDoc & { file: string }) | undefined {
    for (const f of files) {
      const d = this.model(f)?.docs.find((x) => x.name === clickName);
      if (d) return { ...d, file: f };
    }
    return undefined;
  }
}

/**
 * When two drivers define the same element (FastClick's userlevel and linuxmodule FromDevice), the
 * user-level one is the one FastClick runs.
 */
function driverRank(file: string): number {
  if (/[\\/](bsdmodule|linuxmodule|minios|ns|exokernel)[\\/]/.test(file)) return 2;
  if (/[\\/]userlevel[\\/]/.test(file)) return 0;
  return 1;
}

/** Files in the order an element defined twice is taken: the driver FastClick runs first, then by path. */
function byDriverThenPath(a: string, b: string): number {
  return driverRank(a) - driverRank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** How much of the directory path two files share (characters), for picking the nearest definition. */
function closeness(a: string, b: string): number {
  if (a === b) return 1e9;
  const da = dirname(a);
  const db = dirname(b);
  if (da === db) return 1e8;
  let i = 0;
  while (i < da.length && i < db.length && da[i] === db[i]) i++;
  return i;
}

/**
 * Reads one source file. Only regular files are opened (a FIFO would block the read forever, a
 * device could be endless), and only up to the size limit; anything else says why it was skipped.
 * Synchronous: a source file is small, and five system calls on this thread cost a fraction of
 * the same calls as promises through the thread pool (callers read in batches and yield between).
 */
function readSource(path: string, maxBytes: number): ReadResult {
  let fd: number | undefined;
  try {
    const before = statSync(path);
    if (!before.isFile()) return { problem: 'not a regular file' };
    if (before.size > maxBytes) return { problem: tooLarge(before.size, maxBytes) };
    // O_NONBLOCK: should the path have become a FIFO since the stat, opening it still returns.
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { problem: 'not a regular file' };
    if (stat.size > maxBytes) return { problem: tooLarge(stat.size, maxBytes) };
    const text = readFileSync(fd, 'utf8');
    return { src: scanSource(text, stat.mtimeMs, stat.size) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: 'does not exist (a broken link?)' };
    return { problem: `cannot be read (${code ?? (err instanceof Error ? err.message : String(err))})` };
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // nothing was written; the descriptor is gone either way
      }
    }
  }
}

function tooLarge(size: number, maxBytes: number): string {
  return `${Math.ceil(size / 1024)} KB is over the ${Math.floor(maxBytes / 1024)} KB limit (${settingId('index.maxFileSizeKB')})`;
}

interface ModelLookups {
  classes: Map<string, CppClass[]>;
  byOwner: Map<string, CppFunction[]>;
  free: Map<string, CppFunction[]>;
}

/** Per-file maps by class name and by owner, so a lookup costs the matches, not the whole file. */
const lookupCache = new WeakMap<CppFileModel, ModelLookups>();
function lookups(m: CppFileModel): ModelLookups {
  let l = lookupCache.get(m);
  if (!l) {
    l = { classes: new Map(), byOwner: new Map(), free: new Map() };
    for (const c of m.classes) push(l.classes, c.name, c);
    for (const fn of m.functions) push(fn.owner ? l.byOwner : l.free, fn.owner ?? fn.name, fn);
    lookupCache.set(m, l);
  }
  return l;
}

function scanSource(text: string, mtimeMs: number, size: number): SourceText {
  const classNames = new Set<string>();
  const owners = new Set<string>();
  const clickNames: string[] = [];
  CLASS_DEF_RE.lastIndex = 0;
  for (let m = CLASS_DEF_RE.exec(text); m; m = CLASS_DEF_RE.exec(text)) classNames.add(m[1]);
  OWNER_RE.lastIndex = 0;
  for (let m = OWNER_RE.exec(text); m; m = OWNER_RE.exec(text)) owners.add(m[1]);
  const mentionsClassName = /\bclass_name\s*\(/.test(text);
  if (mentionsClassName) {
    CLICK_NAME_RE.lastIndex = 0;
    for (let m = CLICK_NAME_RE.exec(text); m; m = CLICK_NAME_RE.exec(text)) clickNames.push(m[1]);
  }
  return {
    text,
    mtimeMs,
    size,
    hash: hashText(text),
    clickNames,
    classNames,
    owners,
    mentionsClassName,
    exports: text.includes('EXPORT_ELEMENT') ? extractExports(text) : [],
    exportAliases: text.includes('EXPORT_ELEMENT') ? extractExportAliases(text) : [],
  };
}

/** `const char *class_name() const { return "Name"; }`: a hint only, the parse decides. */
const CLICK_NAME_RE = /\bclass_name\s*\(\s*\)\s*const\s*(?:override\s*|final\s*)*\{\s*return\s+"([^"\\]+)"/g;

function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function cachedFileOf(src: SourceText): CachedFile {
  return {
    size: src.size,
    mtimeMs: src.mtimeMs,
    hash: src.hash,
    scan: {
      classNames: [...src.classNames],
      owners: [...src.owners],
      mentionsClassName: src.mentionsClassName,
      exports: src.exports,
      exportAliases: src.exportAliases,
      clickNames: src.clickNames,
    },
  };
}

/** `path`'s size and mtime, if it is a regular file (throws when it cannot be stat'ed). */
function regularFileStat(path: string): FileStat | undefined {
  const st = statSync(path);
  return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
}

/** A cached model with its file's text (read when first needed). */
function withText(model: Omit<CppFileModel, 'text'>, src: SourceText): CppFileModel {
  return Object.defineProperty(model, 'text', { get: () => src.text, enumerable: false, configurable: true }) as CppFileModel;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((res) => setImmediate(res));
}
