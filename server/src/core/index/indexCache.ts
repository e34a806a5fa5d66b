// The persistent index (like clangd's background index): what the element index derives from
// each C++ file (the cheap scan, and the tree-sitter model that costs a parse), keyed by the
// file's content hash and the extractor's version, so a warm start parses nothing. One pack file:
// a JSON header line (per file: size, mtime, content hash, scan, where its model lies) followed by
// the models' JSON; a model is parsed only when the index asks for it. Written atomically under a
// lock; a pack that cannot be read is set aside with a warning, never fatal (it is only a cache).
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, promises as fs, readSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { ElementFeatures } from '../analysis/features';
import type { ThreadingVerdict } from '../analysis/threading';
import type { CppFileModel } from '../cpp/model';
import type { ParameterList } from '../cpp/parameters';
import { dict } from '../dict';
import { asciiJson, decodeModel, encodeModel, type StoredModel } from '../cpp/modelCodec';
import { FileWriteError, writeFileAtomic } from '../files/atomicWrite';
import { withFileLock } from '../files/fileLock';
import { describeError, silentLogger, type Logger } from '../log';
import { SERVER_VERSION } from '../version';
import { PACK_NAME } from './packLocation';

/** Bump when extract.ts produces different models for the same text (cached models are then ignored). */
export const MODEL_VERSION = 3;
const SCHEMA = 'flowmage-index';
/** Models written by another version of FlowMage or of the extractor are not reused (the analysis has its own version, in the feature store). */
export const CACHE_VERSION = `${SERVER_VERSION}/m${MODEL_VERSION}`;
export { PACK_NAME };

/** What the cheap regular-expression scan of a file found (see elementIndex.ts). */
export interface FileScan {
  classNames: string[];
  owners: string[];
  mentionsClassName: boolean;
  exports: string[];
  exportAliases: Array<[string, string]>;
  /** Click names returned by `class_name()` literally (a hint for finding one element before the whole index is built). */
  clickNames: string[];
}

export interface CachedFile {
  size: number;
  mtimeMs: number;
  /** sha256 of the file's bytes. */
  hash: string;
  scan: FileScan;
}

interface HeaderEntry extends CachedFile {
  /** Offset and length of the model's JSON in the body (absent: no model cached). */
  at?: number;
  len?: number;
}

/**
 * What the feature tracker derived for one element, valid while the content hashes of the files
 * its scope read are unchanged (and no file starts to define a type it found missing): a warm
 * start then skips scope collection, slicing and the threading model (core/analysis/featureTracker.ts).
 */
export interface ElementSnapshot {
  analyzerVersion: number;
  className: string;
  headerFile: string;
  /** Files the element's scope read, with their content hashes then. */
  files: Array<[string, string]>;
  /** Base and state type names not found, and the files the index then listed for them. */
  missing: string[];
  missingFiles: string[];
  sliceHash: string;
  sliceChars: number;
  layoutHash: string;
  features: ElementFeatures;
  threading?: ThreadingVerdict;
  /** The slice's static work estimate. */
  work?: number;
}

/** What families of elements need of one element, without its model (core/cpp/families.ts). */
export interface FamilyFacts {
  /** Click names the class is exported under besides its own. */
  aliases: string[];
  bases: string[];
  seeAlso: string[];
}

/** One row of the element table: an element without its class model (read from the header file's model when needed). */
export interface ElementRow {
  clickName: string;
  className: string;
  /** Offset of the class name in the header file: identifies the class among its file's classes. */
  nameStart: number;
  headerFile: string;
  sourceFiles: string[];
  exported: boolean;
  aliasOf?: string;
  /** The Click name its documentation is filed under (the target's, for an alias). */
  docName: string;
  family: FamilyFacts;
}

/** The element table, valid for the set of files (paths and content hashes) the signature hashes. */
export interface ElementTable {
  signature: string;
  rows: ElementRow[];
  problems: string[];
  /** Keyword-argument lists resolved for these very files, by Click name (what a configuration's hovers and checks read). */
  parameterLists?: StoredParameterLists;
}

export interface StoredParameterLists {
  /** The resolver's version (parameters.ts): lists of another are resolved again. */
  version: number;
  byName: Record<string, ParameterList>;
}

interface Header {
  schema: typeof SCHEMA;
  version: string;
  /** Random per write: offsets kept in memory are only used against the pack they came from. */
  id?: string;
  files: Record<string, HeaderEntry>;
  /** Element snapshots by key (see FeatureTracker). */
  elements?: Record<string, ElementSnapshot>;
  /** Element tables by source roots (the CLI shares one cache between trees). */
  tables?: Record<string, ElementTable>;
}

export interface IndexCacheStats {
  /** Files whose entry was loaded from disk. */
  loaded: number;
  /** Models read from the cache instead of parsed. */
  modelHits: number;
  /** Models parsed because the cache had none for that content. */
  modelMisses: number;
}

export class IndexCache {
  readonly warnings: string[] = [];
  readonly stats: IndexCacheStats = { loaded: 0, modelHits: 0, modelMisses: 0 };
  private entries = new Map<string, HeaderEntry>();
  private elements = new Map<string, ElementSnapshot>();
  private tables = new Map<string, ElementTable>();
  /** Models given to the cache in this run (to write), or parsed from the pack (to rewrite). */
  private models = new Map<string, { hash: string; json: string }>();
  /** The id of the pack on disk the entries' offsets point into. */
  private diskId: string | undefined;
  /** Where the body starts in the pack on disk (after the header line). */
  private bodyStart = 0;
  private changes = 0;
  private savedChanges = 0;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    /** The folder holding the pack; undefined for a cache in memory only. */
    public dir: string | undefined,
    private readonly log: Logger,
  ) {}

  /** A cache that lives in memory only (nothing read or written). */
  static memory(): IndexCache {
    return new IndexCache(undefined, silentLogger);
  }

  /** Opens the cache in `dir` (created on the first save). Never throws: an unusable pack is set aside. */
  static async open(dir: string, options: { log?: Logger } = {}): Promise<IndexCache> {
    const cache = new IndexCache(dir, options.log ?? silentLogger);
    await cache.load();
    return cache;
  }

  get file(): string | undefined {
    return this.dir && join(this.dir, PACK_NAME);
  }

  get size(): number {
    return this.entries.size;
  }

  get isDirty(): boolean {
    return this.changes !== this.savedChanges;
  }

  /** The entry for `path` when the file's size and mtime are still the ones recorded. */
  fresh(path: string, size: number, mtimeMs: number): CachedFile | undefined {
    const e = this.entries.get(path);
    return e && e.size === size && e.mtimeMs === mtimeMs ? e : undefined;
  }

  /** The entry for `path` whatever its stat (to compare content hashes). */
  entry(path: string): CachedFile | undefined {
    return this.entries.get(path);
  }

  /** Every file's stat, hash and scan (what the index's child process hands over once it has read the tree). */
  files(): Array<[path: string, file: CachedFile]> {
    return [...this.entries].map(([path, { size, mtimeMs, hash, scan }]) => [path, { size, mtimeMs, hash, scan }]);
  }

  /**
   * Records the files another process read (its files()): entries that do not have the shape of a
   * file's stat, hash and scan are skipped, and no model offset is taken from them. Returns the
   * paths recorded.
   */
  putFiles(files: ReadonlyArray<readonly [unknown, unknown]>): string[] {
    const put: string[] = [];
    for (const [path, f] of files) {
      if (typeof path !== 'string' || !validEntry(f)) continue;
      this.put(path, { size: f.size, mtimeMs: f.mtimeMs, hash: f.hash, scan: f.scan });
      put.push(path);
    }
    return put;
  }

  /** Records a file's stat, hash and scan; a different hash drops its cached model. */
  put(path: string, file: CachedFile): void {
    const old = this.entries.get(path);
    if (old && old.hash === file.hash && old.size === file.size && old.mtimeMs === file.mtimeMs) return;
    const keep = old && old.hash === file.hash ? { at: old.at, len: old.len } : {};
    if (!keep.at && this.models.get(path)?.hash !== file.hash) this.models.delete(path);
    this.entries.set(path, { ...file, ...keep });
    this.changes++;
  }

  /** Forgets files under `roots` that are no longer indexed (other roots' files stay: the CLI shares one cache). */
  retain(paths: ReadonlySet<string>, roots: readonly string[]): void {
    const under = (p: string) => roots.some((r) => p === r || p.startsWith(r.endsWith(sep) ? r : r + sep));
    for (const p of [...this.entries.keys()]) {
      if (paths.has(p) || !under(p)) continue;
      this.entries.delete(p);
      this.models.delete(p);
      this.changes++;
    }
  }

  /** The element table stored for these roots when its signature is `signature`. */
  elementTable(roots: string, signature: string): ElementTable | undefined {
    const t = this.tables.get(roots);
    return t?.signature === signature ? t : undefined;
  }

  /** Stores one element's keyword-argument list with the element table of the same files (none such: nothing is stored). */
  setParameterList(roots: string, signature: string, version: number, clickName: string, list: ParameterList): void {
    const t = this.tables.get(roots);
    if (t?.signature !== signature) return;
    if (t.parameterLists?.version !== version) t.parameterLists = { version, byName: dict() };
    if (JSON.stringify(t.parameterLists.byName[clickName]) === JSON.stringify(list)) return;
    t.parameterLists.byName[clickName] = list;
    this.changes++;
  }

  /** Whether any element table is stored for these roots (none: nothing was ever indexed there, a cold start). */
  hasElementTable(roots: string): boolean {
    return this.tables.has(roots);
  }

  setElementTable(roots: string, table: ElementTable): void {
    if (this.tables.get(roots)?.signature === table.signature) return;
    this.tables.set(roots, table);
    this.changes++;
  }

  /** The element snapshot stored under `key` (the caller checks it still holds). */
  elementSnapshot(key: string): ElementSnapshot | undefined {
    return this.elements.get(key);
  }

  /** Stores an element snapshot (a save writes it when it differs from the one stored). */
  setElementSnapshot(key: string, snapshot: ElementSnapshot): void {
    const old = this.elements.get(key);
    if (old && JSON.stringify(old) === JSON.stringify(snapshot)) return;
    this.elements.set(key, snapshot);
    this.changes++;
  }

  /** Forgets an element snapshot (its analysis failed, or it no longer holds). */
  dropElementSnapshot(key: string): void {
    if (this.elements.delete(key)) this.changes++;
  }

  /** Whether the model of `path` at content `hash` can be given back (from the pack or this run's parse). */
  hasModel(path: string, hash: string): boolean {
    const e = this.entries.get(path);
    return !!e && e.hash === hash && (e.at !== undefined || this.models.get(path)?.hash === hash);
  }

  /** The JSON of the cached model of `path` for content `hash`, or undefined. */
  modelJson(path: string, hash: string): string | undefined {
    const e = this.entries.get(path);
    if (!e || e.hash !== hash) return undefined;
    const mine = this.models.get(path);
    if (mine?.hash === hash) return mine.json;
    return e.at !== undefined && e.len !== undefined ? this.readFromDisk(e.at, e.len) : undefined;
  }

  /** The cached model of `path` for content `hash` (without its text), or undefined. */
  model(path: string, hash: string): StoredModel | undefined {
    const json = this.modelJson(path, hash);
    const e = this.entries.get(path);
    if (json === undefined || !e) return undefined;
    try {
      const m = decodeModel(json, path);
      this.stats.modelHits++;
      return m;
    } catch (err) {
      this.warn(`the cached model of ${path} is unreadable (${describeError(err)}); parsing the file again`);
      delete e.at;
      delete e.len;
      return undefined;
    }
  }

  /** Records the model parsed for `path` at content `hash`. */
  setModel(path: string, hash: string, model: CppFileModel): void {
    this.setModelJson(path, hash, encodeModel(model));
  }

  /** Records a model parsed for `path` at content `hash`, already encoded (by a parse worker: core/cpp/parsePool.ts). */
  setModelJson(path: string, hash: string, json: string): void {
    const e = this.entries.get(path);
    if (!e || e.hash !== hash) return;
    this.stats.modelMisses++;
    this.models.set(path, { hash, json });
    delete e.at;
    delete e.len;
    this.changes++;
  }

  /** Writes the pack when something changed (serialized; a failure is a warning, the cache is optional). */
  save(): Promise<void> {
    const run = this.queue.then(() => this.write());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(): Promise<void> {
    const file = this.file;
    if (!file || !this.isDirty) return;
    const changes = this.changes;
    const previous = await this.readOwnPack(file);
    const header: Header = { schema: SCHEMA, version: CACHE_VERSION, id: randomBytes(8).toString('hex'), files: {} };
    const chunks: string[] = [];
    let at = 0;
    for (const [path, e] of [...this.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const { at: _a, len: _l, ...base } = e;
      const json = this.jsonToWrite(path, e, previous);
      if (json === undefined) {
        header.files[path] = base;
        continue;
      }
      header.files[path] = { ...base, at, len: json.length };
      chunks.push(json);
      at += json.length;
    }
    // Snapshots of elements whose files left the index are dropped (another root's stay: the CLI shares one cache).
    const elements: Record<string, ElementSnapshot> = {};
    for (const [key, snap] of this.elements) if (snap.files.every(([f]) => this.entries.has(f))) elements[key] = snap;
    header.elements = elements;
    header.tables = Object.fromEntries(this.tables);
    // The pack is ASCII (asciiJson): as latin1 a string becomes bytes by a plain copy (UTF-8 would
    // scan and re-encode all 30 MB), each model straight into one buffer (no joined string first).
    const headerLine = asciiJson(JSON.stringify(header)) + '\n';
    const body = Buffer.allocUnsafe(at);
    let offset = 0;
    for (const c of chunks) offset += body.write(c, offset, 'latin1');
    const data = [Buffer.from(headerLine, 'latin1'), body];
    try {
      await fs.mkdir(this.dir!, { recursive: true });
      await withFileLock(file, () => writeFileAtomic({ path: file, data, symlinks: 'refuse' }, { durable: false }), { timeoutMs: 5000 });
    } catch (err) {
      this.warn(`could not write the index cache ${file}: ${err instanceof FileWriteError ? err.message : describeError(err)}`);
      return;
    }
    // The new pack is now the one the offsets point into; models written are read back from it by offset.
    this.diskId = header.id;
    this.bodyStart = headerLine.length;
    for (const [path, h] of Object.entries(header.files)) {
      const e = this.entries.get(path);
      if (!e) continue;
      if (e.hash === h.hash && h.at !== undefined) {
        e.at = h.at;
        e.len = h.len;
        if (this.models.get(path)?.hash === h.hash) this.models.delete(path);
      } else {
        // Offsets into the old pack mean nothing in the new one.
        delete e.at;
        delete e.len;
      }
    }
    this.savedChanges = changes;
  }

  private jsonToWrite(path: string, e: HeaderEntry, body: Buffer | undefined): string | undefined {
    const mine = this.models.get(path);
    if (mine?.hash === e.hash) return mine.json;
    if (body !== undefined && e.at !== undefined && e.len !== undefined && e.at + e.len <= body.length) return body.toString('latin1', e.at, e.at + e.len);
    return undefined;
  }

  /**
   * One model's JSON read from the pack on disk, when the pack is still the one the offsets point
   * into (its id is near the start of the header line); else undefined, and the file is parsed.
   */
  private readFromDisk(at: number, len: number): string | undefined {
    const file = this.file;
    if (!file || !this.diskId) return undefined;
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
      const head = Buffer.alloc(PACK_ID_PREFIX);
      const n = readSync(fd, head, 0, head.length, 0);
      if (packId(head.toString('latin1', 0, n)) !== this.diskId) return undefined;
      const buf = Buffer.alloc(len);
      if (readSync(fd, buf, 0, len, this.bodyStart + at) !== len) return undefined;
      return buf.toString('latin1');
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** The body of the pack on disk when it is the one the offsets point into, else undefined. */
  private async readOwnPack(file: string): Promise<Buffer | undefined> {
    if (!this.diskId || ![...this.entries.values()].some((e) => e.at !== undefined)) return undefined;
    try {
      const data = await fs.readFile(file);
      return packId(data.toString('latin1', 0, PACK_ID_PREFIX)) === this.diskId ? data.subarray(data.indexOf(0x0a) + 1) : undefined;
    } catch {
      return undefined;
    }
  }

  private async load(): Promise<void> {
    const file = this.file!;
    let head: { header: string; bodyStart: number } | undefined;
    try {
      const st = await fs.lstat(file);
      if (!st.isFile()) {
        this.warn(`${file} is not a regular file; the index cache is kept in memory`);
        this.dir = undefined;
        return;
      }
      head = await readHeaderLine(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`cannot read the index cache ${file} (${describeError(err)}); starting afresh`);
      return;
    }
    let header: Header;
    try {
      if (!head) throw new Error('no header line');
      header = JSON.parse(head.header) as Header;
      if (header?.schema !== SCHEMA || typeof header.files !== 'object' || header.files === null) throw new Error('not a FlowMage index cache');
    } catch (err) {
      await this.setAside(`the index cache ${file} is corrupt (${describeError(err)})`);
      return;
    }
    if (header.version !== CACHE_VERSION) {
      this.log.info(`the index cache ${file} was written by ${header.version}; re-indexing with ${CACHE_VERSION}`);
      return;
    }
    for (const [path, e] of Object.entries(header.files)) {
      if (!validEntry(e)) continue;
      this.entries.set(path, e);
    }
    for (const [key, snap] of Object.entries(header.elements ?? {})) if (validSnapshot(snap)) this.elements.set(key, snap);
    for (const [roots, table] of Object.entries(header.tables ?? {})) {
      if (!validTable(table)) continue;
      // Lists that do not look like lists are resolved again; the table itself still holds.
      if (table.parameterLists !== undefined && !validParameterLists(table.parameterLists)) delete table.parameterLists;
      else if (table.parameterLists) table.parameterLists.byName = dict(table.parameterLists.byName);
      this.tables.set(roots, table);
    }
    // The body (the models) stays on disk: a model is read by its offset when asked for.
    this.diskId = header.id;
    this.bodyStart = head.bodyStart;
    this.stats.loaded = this.entries.size;
  }

  private async setAside(why: string): Promise<void> {
    const file = this.file!;
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await fs.rename(file, aside);
      this.warn(`${why}; moved it to ${aside} and re-indexing`);
    } catch (err) {
      this.warn(`${why}; could not move it aside (${describeError(err)}); re-indexing in memory`);
      this.dir = undefined;
    }
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.log.warn(message);
  }
}

/** Bytes at the start of a pack that hold its id (the header's third field, after schema and version). */
const PACK_ID_PREFIX = 256;

/** The id of the pack whose first bytes are `prefix` (without parsing the whole header line). */
function packId(prefix: string): string | undefined {
  return /"id":"([0-9a-f]+)"/.exec(prefix)?.[1];
}

/**
 * The pack's first line (the header) and where the body starts, read without the body: a warm start
 * reads a few models of a pack of tens of megabytes, each by its offset. Undefined without a newline.
 */
async function readHeaderLine(file: string): Promise<{ header: string; bodyStart: number } | undefined> {
  const handle = await fs.open(file, 'r');
  try {
    const parts: Buffer[] = [];
    let read = 0;
    for (let size = 1 << 20; ; size = Math.min(size * 2, 1 << 24)) {
      // Filled by the read before anything looks at it: no need to zero it first.
      const chunk = Buffer.allocUnsafe(size);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, read);
      if (bytesRead === 0) return undefined;
      const nl = chunk.subarray(0, bytesRead).indexOf(0x0a);
      parts.push(chunk.subarray(0, nl < 0 ? bytesRead : nl));
      // The pack is ASCII (asciiJson): latin1 decodes it by a plain copy.
      if (nl >= 0) return { header: (parts.length === 1 ? parts[0] : Buffer.concat(parts)).toString('latin1'), bodyStart: read + nl + 1 };
      read += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

function validEntry(e: unknown): e is HeaderEntry {
  if (!e || typeof e !== 'object') return false;
  const x = e as HeaderEntry;
  const s = x.scan;
  return (
    typeof x.size === 'number' &&
    typeof x.mtimeMs === 'number' &&
    typeof x.hash === 'string' &&
    !!s &&
    Array.isArray(s.classNames) &&
    Array.isArray(s.owners) &&
    Array.isArray(s.exports) &&
    Array.isArray(s.exportAliases) &&
    Array.isArray(s.clickNames) &&
    typeof s.mentionsClassName === 'boolean' &&
    (x.at === undefined || (Number.isInteger(x.at) && Number.isInteger(x.len)))
  );
}

function validParameterLists(p: unknown): p is StoredParameterLists {
  if (!p || typeof p !== 'object') return false;
  const x = p as StoredParameterLists;
  return typeof x.version === 'number' && !!x.byName && typeof x.byName === 'object' && Object.values(x.byName).every(validParameterList);
}

/** Whether `l` has the shape of a keyword-argument list (read back from a file). */
export function validParameterList(l: unknown): l is ParameterList {
  const x = l as ParameterList | undefined;
  return !!x && typeof x === 'object' && (x.completeness === 'complete' || x.completeness === 'partial') && Array.isArray(x.parameters) && Array.isArray(x.reasons);
}

function validTable(t: unknown): t is ElementTable {
  if (!t || typeof t !== 'object') return false;
  const x = t as ElementTable;
  return (
    typeof x.signature === 'string' &&
    Array.isArray(x.problems) &&
    Array.isArray(x.rows) &&
    x.rows.every(
      (r) =>
        !!r &&
        typeof r.clickName === 'string' &&
        typeof r.className === 'string' &&
        typeof r.nameStart === 'number' &&
        typeof r.headerFile === 'string' &&
        Array.isArray(r.sourceFiles) &&
        typeof r.docName === 'string' &&
        !!r.family &&
        Array.isArray(r.family.aliases) &&
        Array.isArray(r.family.bases) &&
        Array.isArray(r.family.seeAlso),
    )
  );
}

function validSnapshot(s: unknown): s is ElementSnapshot {
  if (!s || typeof s !== 'object') return false;
  const x = s as ElementSnapshot;
  return (
    typeof x.analyzerVersion === 'number' &&
    typeof x.className === 'string' &&
    typeof x.headerFile === 'string' &&
    Array.isArray(x.files) &&
    x.files.every((f) => Array.isArray(f) && typeof f[0] === 'string' && typeof f[1] === 'string') &&
    Array.isArray(x.missing) &&
    Array.isArray(x.missingFiles) &&
    typeof x.sliceHash === 'string' &&
    typeof x.sliceChars === 'number' &&
    typeof x.layoutHash === 'string' &&
    !!x.features &&
    typeof x.features === 'object' &&
    Array.isArray(x.features.stateObjects) &&
    Array.isArray(x.features.evidence) &&
    Array.isArray(x.features.unknown)
  );
}
