// The feature store: `.flowmage/features.json`. Loading never fails: a corrupt file or one written
// by a newer FlowMage is renamed aside with a warning and the store starts empty (it is rebuilt),
// never silently overwritten. Saves are atomic (temporary file, then rename) and serialized; a
// save first merges what another process wrote meanwhile, newest record winning.
import { promises as fs } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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
  private dirty = false;
  private diskStamp = '';
  private queue: Promise<void> = Promise.resolve();
  /** Set when an unusable file could not be moved aside: the store then never writes. */
  private frozen = false;

  private constructor(
    readonly file: string,
    /** Paths in the file are relative to this directory. */
    readonly base: string,
    private readonly log?: Logger,
  ) {}

  /** Opens (or starts) the store at `file`. */
  static async open(file: string, options: { log?: Logger } = {}): Promise<FeatureStore> {
    const abs = resolve(file);
    const dir = dirname(abs);
    const store = new FeatureStore(abs, basename(dir) === '.flowmage' ? dirname(dir) : dir, options.log);
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
    this.dirty = true;
  }

  /** Updates an entry's slice without touching its sources (they stay, and say which slice they saw). */
  touch(name: string, meta: EntryMeta): void {
    const prev = this.data.elements[name];
    const files = meta.files.map((f) => this.rel(f));
    if (prev && prev.sliceHash === meta.sliceHash && prev.className === meta.className && prev.files.join('\n') === files.join('\n')) return;
    this.data.elements[name] = { className: meta.className, files, sliceHash: meta.sliceHash, sliceChars: meta.sliceChars, updatedAt: new Date().toISOString(), sources: prev?.sources ?? {} };
    this.dirty = true;
  }

  /** Forgets elements that are no longer in the sources. */
  retain(names: Iterable<string>): void {
    const keep = new Set(names);
    for (const n of Object.keys(this.data.elements)) {
      if (!keep.has(n)) {
        delete this.data.elements[n];
        this.dirty = true;
      }
    }
  }

  comparison(model: string, a: string, b: string): ComparisonRecord | undefined {
    return this.data.comparisons[comparisonKey(model, a, b)];
  }

  putComparison(record: ComparisonRecord): void {
    this.data.comparisons[comparisonKey(record.model, record.a, record.b)] = record;
    this.dirty = true;
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  /** Writes the store if it changed. Concurrent calls run one after the other. */
  save(): Promise<void> {
    const run = () => this.write();
    this.queue = this.queue.then(run, run);
    return this.queue;
  }

  // ---- disk ----

  private async load(): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`cannot read ${this.file}: ${(err as Error).message}; starting an empty store`);
      return;
    }
    const parsed = await this.parseOrSetAside(text);
    if (parsed) this.data = parsed;
    this.diskStamp = await this.stamp();
  }

  /** The parsed file, or undefined after renaming an unusable file aside. */
  private async parseOrSetAside(text: string): Promise<StoreFile | undefined> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      await this.setAside('corrupt', `${this.file} is not valid JSON (${(err as Error).message})`);
      return undefined;
    }
    const obj = raw as Partial<StoreFile> | null;
    if (!obj || typeof obj !== 'object' || obj.schema !== STORE_SCHEMA || typeof obj.version !== 'number') {
      await this.setAside('corrupt', `${this.file} is not a FlowMage feature store`);
      return undefined;
    }
    if (obj.version > STORE_VERSION) {
      await this.setAside(`v${obj.version}`, `${this.file} was written by a newer FlowMage (store version ${obj.version}, this one reads ${STORE_VERSION})`);
      return undefined;
    }
    const out = emptyFile();
    for (const [name, e] of Object.entries(obj.elements ?? {})) {
      if (isEntry(e)) out.elements[name] = e;
      else this.warn(`${this.file}: dropping the malformed entry for ${name}`);
    }
    for (const [k, c] of Object.entries(obj.comparisons ?? {})) if (c && typeof c === 'object' && typeof (c as ComparisonRecord).moreComplex === 'string') out.comparisons[k] = c as ComparisonRecord;
    return out;
  }

  private async setAside(tag: string, why: string): Promise<void> {
    const aside = `${this.file}.${tag}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await fs.rename(this.file, aside);
      this.warn(`${why}; moved it to ${aside} and rebuilding the store`);
    } catch (err) {
      this.warn(`${why}; could not move it aside (${(err as Error).message}); it will not be overwritten`);
      this.frozen = true;
    }
  }

  private async write(): Promise<void> {
    if (this.isMemory || !this.dirty || this.frozen) return;
    await fs.mkdir(dirname(this.file), { recursive: true });
    // Someone else (the CLI, another window) may have written since we read: keep their newer records.
    const stamp = await this.stamp();
    if (stamp && stamp !== this.diskStamp) {
      let text: string | undefined;
      try {
        text = await fs.readFile(this.file, 'utf8');
      } catch {
        text = undefined;
      }
      if (text !== undefined) {
        const theirs = await this.parseOrSetAside(text);
        if (theirs) this.mergeFrom(theirs);
        if (this.frozen) return;
      }
    }
    this.data.updatedAt = new Date().toISOString();
    this.data.generator = `flowmage ${SERVER_VERSION}`;
    const tmp = join(dirname(this.file), `.${basename(this.file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    await fs.writeFile(tmp, JSON.stringify(this.data, null, 2) + '\n');
    try {
      await fs.rename(tmp, this.file);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    this.dirty = false;
    this.diskStamp = await this.stamp();
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

  private async stamp(): Promise<string> {
    try {
      const st = await fs.stat(this.file);
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return '';
    }
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.log?.warn(message);
  }

  // ---- paths ----

  private rel(file: string): string {
    if (!isAbsolute(file)) return file;
    const r = relative(this.base, file);
    return r.startsWith('..') || isAbsolute(r) ? file.split(sep).join('/') : r.split(sep).join('/');
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
  return { schema: STORE_SCHEMA, version: STORE_VERSION, generator: `flowmage ${SERVER_VERSION}`, updatedAt: new Date().toISOString(), elements: Object.create(null), comparisons: Object.create(null) };
}

function isEntry(e: unknown): e is StoreEntry {
  if (!e || typeof e !== 'object') return false;
  const x = e as StoreEntry;
  return typeof x.className === 'string' && Array.isArray(x.files) && typeof x.sliceHash === 'string' && !!x.sources && typeof x.sources === 'object' && Object.values(x.sources).every(isRecord);
}

function isRecord(r: unknown): r is SourceRecord {
  if (!r || typeof r !== 'object') return false;
  const x = r as SourceRecord;
  const f = x.features as StoredFeatures | undefined;
  return typeof x.analyzedAt === 'string' && typeof x.sliceHash === 'string' && !!f && typeof f.stateful === 'boolean' && Array.isArray(f.flowKey);
}
