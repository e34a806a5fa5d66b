// The feature store: `.flowmage/features.json`. Loading never fails: a corrupt store or one written
// by a newer FlowMage is renamed aside with a warning and the store starts empty (it is rebuilt),
// never silently overwritten. Anything else at the path (a device, FIFO, directory, symlink, or a
// regular file that is not a FlowMage store) is left untouched: the store then lives in memory.
// Saves are atomic (core/files/atomicWrite: same mode, checked unchanged) and serialized; each
// save takes the store's lock file and merges what other processes wrote before it renames.
// Entries are never dropped by an analysis (LLM answers cost money); only prune() removes them.
import { promises as fs } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { FileWriteError, readSnapshot, writeFileAtomic, type FileSnapshot } from '../files/atomicWrite';
import { assertNoSymlinkedDirectories } from '../files/confinedPath';
import { withFileLock } from '../files/fileLock';
import type { Provenance } from '../analysis/features';
import type { Logger } from '../log';
import { SERVER_VERSION } from '../version';
import { comparisonKey, STORE_SCHEMA, STORE_VERSION, type ComparisonRecord, type SourceRecord, type StoredFeatures, type StoreEntry, type StoreFile } from './schema';

export interface EntryMeta {
  className: string;
  files: string[];
  sliceHash: string;
  sliceChars: number;
}

export class FeatureStore {
  /** Warnings from loading and saving (also sent to the logger). */
  readonly warnings: string[] = [];
  private data: StoreFile = emptyFile();
  /** Counts changes; a save records the count it wrote, so a change made while a save runs is not lost. */
  private changes = 0;
  private savedChanges = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Set when the file at the path is not ours to replace: the store then never writes. */
  private frozen = false;
  /** After prune(): the only element names a save keeps (also dropping them from the disk's copy). */
  private keepOnly: Set<string> | undefined;
  /** rel() of each absolute path met so far. */
  private readonly relPaths = new Map<string, string>();

  private constructor(
    readonly file: string,
    /** Paths in the file are relative to this directory. */
    readonly base: string,
    private readonly log?: Logger,
    /** When set, every directory from here down to the file must be a real directory (no symlink). */
    private readonly root?: string,
  ) {}

  /**
   * Opens (or starts) the store at `file`. With `root`, the file must lie under it with no
   * symlinked directory in between (checked at open and before each save).
   */
  static async open(file: string, options: { log?: Logger; root?: string } = {}): Promise<FeatureStore> {
    const abs = resolve(file);
    const dir = dirname(abs);
    const store = new FeatureStore(abs, basename(dir) === '.flowmage' ? dirname(dir) : dir, options.log, options.root && resolve(options.root));
    await store.load();
    return store;
  }

  /** An in-memory store that never touches the disk (the CLI without --store). */
  static memory(base: string): FeatureStore {
    const store = new FeatureStore('', resolve(base));
    return store;
  }

  get isMemory(): boolean {
    return this.file === '';
  }

  names(): string[] {
    return Object.keys(this.data.elements).sort();
  }

  entry(name: string): StoreEntry | undefined {
    const e = this.data.elements[name];
    return e ? { ...e, files: e.files.map((f) => this.abs(f)), sources: Object.fromEntries(Object.entries(e.sources).map(([k, r]) => [k, this.absRecord(r!)])) } : undefined;
  }

  source(name: string, provenance: Provenance): SourceRecord | undefined {
    const r = this.data.elements[name]?.sources[provenance];
    return r ? this.absRecord(r) : undefined;
  }

  /** Records one source's features for an element, updating the entry's slice. */
  put(name: string, meta: EntryMeta, provenance: Provenance, record: SourceRecord): void {
    const now = new Date().toISOString();
    const prev = this.data.elements[name];
    const entry: StoreEntry = {
      className: meta.className,
      files: meta.files.map((f) => this.rel(f)),
      sliceHash: meta.sliceHash,
      sliceChars: meta.sliceChars,
      updatedAt: now,
      sources: { ...(prev?.sources ?? {}), [provenance]: this.relRecord(record) },
    };
    this.data.elements[name] = entry;
    this.changes++;
  }

  /** Updates an entry's slice without touching its sources (they stay, and say which slice they saw). */
  touch(name: string, meta: EntryMeta): void {
    const prev = this.data.elements[name];
    const files = meta.files.map((f) => this.rel(f));
    if (prev && prev.sliceHash === meta.sliceHash && prev.className === meta.className && prev.files.join('\n') === files.join('\n')) return;
    this.data.elements[name] = {
      className: meta.className,
      files,
      sliceHash: meta.sliceHash,
      sliceChars: meta.sliceChars,
      updatedAt: new Date().toISOString(),
      sources: prev?.sources ?? {},
    };
    this.changes++;
  }

  /**
   * Forgets every element not in `names` (here and, at the next save, in the file on disk).
   * Only on request (`flowmage analyze --prune`): other source trees' entries and their LLM
   * answers are kept, keyed by slice hash, since each answer cost an API call.
   */
  prune(names: Iterable<string>): string[] {
    this.keepOnly = new Set(names);
    const dropped = Object.keys(this.data.elements).filter((n) => !this.keepOnly!.has(n));
    for (const n of dropped) delete this.data.elements[n];
    this.changes++;
    return dropped;
  }

  comparison(model: string, a: string, b: string): ComparisonRecord | undefined {
    return this.data.comparisons[comparisonKey(model, a, b)];
  }

  putComparison(record: ComparisonRecord): void {
    this.data.comparisons[comparisonKey(record.model, record.a, record.b)] = record;
    this.changes++;
  }

  get isDirty(): boolean {
    return this.changes !== this.savedChanges;
  }

  /** Writes the store if it changed. Concurrent calls run one after the other. */
  save(): Promise<void> {
    const run = () => this.write();
    this.queue = this.queue.then(run, run);
    return this.queue;
  }

  // ---- disk ----

  private async load(): Promise<void> {
    const snap = await this.readDisk();
    if (!snap) return;
    const parsed = await this.parseOrSetAside(snap);
    if (parsed) this.data = parsed;
  }

  /** The file's bytes, or undefined when there is none (or it is not ours: the store is then frozen). */
  private async readDisk(): Promise<FileSnapshot | undefined> {
    try {
      if (this.root) await assertNoSymlinkedDirectories(this.root, dirname(this.file));
      return await readSnapshot(this.file, { symlinks: 'refuse' });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      this.freeze(err instanceof FileWriteError || !code ? (err as Error).message : `cannot read ${this.file}: ${code}`);
      return undefined;
    }
  }

  private freeze(why: string): void {
    if (!this.frozen) this.warn(`${why}; the feature store is kept in memory and nothing is written there`);
    this.frozen = true;
  }

  /** The parsed file, or undefined after renaming an unusable store aside (or freezing). */
  private async parseOrSetAside(snap: FileSnapshot): Promise<StoreFile | undefined> {
    const text = snap.bytes.toString('utf8');
    // Only a file that says it is a FlowMage store (even cut short) is ever renamed aside.
    const ours = text.includes(`"${STORE_SCHEMA}"`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      if (!ours) this.freeze(`${this.file} is not a FlowMage feature store (not JSON); it is left untouched`);
      else await this.setAside(snap, 'corrupt', `${this.file} is not valid JSON (${(err as Error).message})`);
      return undefined;
    }
    const obj = raw as Partial<StoreFile> | null;
    if (!obj || typeof obj !== 'object' || obj.schema !== STORE_SCHEMA || typeof obj.version !== 'number') {
      if (!ours) this.freeze(`${this.file} is not a FlowMage feature store; it is left untouched`);
      else await this.setAside(snap, 'corrupt', `${this.file} is not a valid FlowMage feature store`);
      return undefined;
    }
    if (obj.version > STORE_VERSION) {
      await this.setAside(snap, `v${obj.version}`, `${this.file} was written by a newer FlowMage (store version ${obj.version}, this one reads ${STORE_VERSION})`);
      return undefined;
    }
    const out = emptyFile();
    for (const [name, e] of Object.entries(obj.elements ?? {})) {
      if (isEntry(e)) out.elements[name] = e;
      else this.warn(`${this.file}: dropping the malformed entry for ${name}`);
    }
    for (const [k, c] of Object.entries(obj.comparisons ?? {}))
      if (c && typeof c === 'object' && typeof (c as ComparisonRecord).moreComplex === 'string') out.comparisons[k] = c as ComparisonRecord;
    return out;
  }

  private async setAside(snap: FileSnapshot, tag: string, why: string): Promise<void> {
    const aside = `${this.file}.${tag}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      // Still the very file that was read (not swapped for a device or a link since)?
      const st = await fs.lstat(this.file);
      if (!st.isFile() || st.ino !== snap.ino) throw new Error('it changed while being read');
      await fs.rename(this.file, aside);
      this.warn(`${why}; moved it to ${aside} and rebuilding the store`);
    } catch (err) {
      this.freeze(`${why}; could not move it aside (${(err as Error).message}); it will not be overwritten`);
    }
  }

  private async write(): Promise<void> {
    if (this.isMemory || !this.isDirty || this.frozen) return;
    let written = this.changes;
    if (this.root) {
      // The root itself (workspace folder, or extension storage VS Code leaves to us to create) is trusted.
      await fs.mkdir(this.root, { recursive: true });
      await assertNoSymlinkedDirectories(this.root, dirname(this.file), { create: true });
    } else await fs.mkdir(dirname(this.file), { recursive: true });
    await withFileLock(this.file, async () => {
      // Under the lock, nobody else renames: keep what others wrote since we read.
      const snap = await this.readDisk();
      if (this.frozen) return;
      if (snap) {
        const theirs = await this.parseOrSetAside(snap);
        if (this.frozen) return;
        if (theirs) this.mergeFrom(theirs);
      }
      if (this.keepOnly) for (const n of Object.keys(this.data.elements)) if (!this.keepOnly.has(n)) delete this.data.elements[n];
      this.data.updatedAt = new Date().toISOString();
      this.data.generator = `flowmage ${SERVER_VERSION}`;
      // A store that was set aside meanwhile is gone: then write a new file.
      const stillThere =
        snap &&
        (await fs.lstat(this.file).then(
          () => true,
          () => false,
        ));
      written = this.changes;
      await writeFileAtomic({ path: this.file, data: JSON.stringify(this.data, null, 2) + '\n', expected: stillThere ? snap : undefined, symlinks: 'refuse' });
    });
    this.savedChanges = written;
  }

  private mergeFrom(theirs: StoreFile): void {
    for (const [name, e] of Object.entries(theirs.elements)) {
      const mine = this.data.elements[name];
      if (!mine) {
        this.data.elements[name] = e;
        continue;
      }
      for (const [prov, rec] of Object.entries(e.sources) as Array<[Provenance, SourceRecord]>) {
        const own = mine.sources[prov];
        if (!own || (rec.analyzedAt > own.analyzedAt && rec.sliceHash === mine.sliceHash)) mine.sources[prov] = rec;
      }
    }
    for (const [k, c] of Object.entries(theirs.comparisons)) {
      const own = this.data.comparisons[k];
      if (!own || c.at > own.at) this.data.comparisons[k] = c;
    }
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.log?.warn(message);
  }

  // ---- paths ----

  private rel(file: string): string {
    if (!isAbsolute(file)) return file;
    // Remembered: every element's evidence names the same few files, and path.relative() is not cheap.
    let r = this.relPaths.get(file);
    if (r === undefined) {
      const rel = relative(this.base, file);
      r = rel.startsWith('..') || isAbsolute(rel) ? file.split(sep).join('/') : rel.split(sep).join('/');
      this.relPaths.set(file, r);
    }
    return r;
  }

  private abs(file: string): string {
    return isAbsolute(file) ? file : resolve(this.base, file);
  }

  private relRecord(r: SourceRecord): SourceRecord {
    return { ...r, features: mapPaths(r.features, (f) => this.rel(f)) };
  }

  private absRecord(r: SourceRecord): SourceRecord {
    return { ...r, features: mapPaths(r.features, (f) => this.abs(f)) };
  }
}

function mapPaths(f: StoredFeatures, map: (p: string) => string): StoredFeatures {
  const out: StoredFeatures = { ...f };
  if (f.evidence) out.evidence = f.evidence.map((e) => ({ ...e, file: e.file ? map(e.file) : e.file }));
  if (f.stateObjects) out.stateObjects = f.stateObjects.map((o) => ({ ...o, file: o.file ? map(o.file) : o.file }));
  return out;
}

/** Keyed by element names from user code (`__proto__`, `constructor`...): objects without a prototype. */
function emptyFile(): StoreFile {
  return {
    schema: STORE_SCHEMA,
    version: STORE_VERSION,
    generator: `flowmage ${SERVER_VERSION}`,
    updatedAt: new Date().toISOString(),
    elements: Object.create(null),
    comparisons: Object.create(null),
  };
}

function isEntry(e: unknown): e is StoreEntry {
  if (!e || typeof e !== 'object') return false;
  const x = e as StoreEntry;
  return (
    typeof x.className === 'string' &&
    Array.isArray(x.files) &&
    typeof x.sliceHash === 'string' &&
    !!x.sources &&
    typeof x.sources === 'object' &&
    Object.values(x.sources).every(isRecord)
  );
}

function isRecord(r: unknown): r is SourceRecord {
  if (!r || typeof r !== 'object') return false;
  const x = r as SourceRecord;
  const f = x.features as StoredFeatures | undefined;
  return typeof x.analyzedAt === 'string' && typeof x.sliceHash === 'string' && !!f && typeof f.stateful === 'boolean' && Array.isArray(f.flowKey);
}
