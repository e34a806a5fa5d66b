// Early answers of the index's child process (indexBuild.ts): while it builds the whole index, the
// elements the server asks for first (the open documents' classes) are analyzed at once, and what
// the server needs to show them (the models their analysis and parameters read, their snapshots)
// is handed over, so the server parses nothing and its memory stays as after a warm start. Before
// them, the files' scans: the server then reads no file the child already read.
//
// Handed over in a file next to the pack, not through the IPC channel: the models are megabytes,
// and a busy child writes a large message to the pipe 64 KB per turn of its event loop. The file
// is written synchronously (the build goes on at once), read once and removed by the server.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureTracker } from '../analysis/featureTracker';
import type { ElementIndex, ModelJson } from '../cpp/elementIndex';
import { describeError, silentLogger, type Logger } from '../log';
import { validParameterList, type ElementSnapshot, type IndexCache } from './indexCache';
import type { ParameterList } from '../cpp/parameters';

export interface EarlyAnswer {
  /** The Click names asked for (found or not). */
  names: string[];
  /** The file holding the models and snapshots (undefined when nothing was found). */
  file?: string;
  /** Time spent on it in the child. */
  ms: number;
}

interface EarlyHeader {
  models: Array<[path: string, hash: string, length: number]>;
  snapshots: Array<[key: string, snapshot: ElementSnapshot]>;
  /** The classes' keyword-argument lists, by Click name: the server's first hovers need them, and resolving them reads many files. */
  parameters?: Array<[clickName: string, list: ParameterList]>;
}

const FILE_PREFIX = 'early-';
const SCANS_PREFIX = 'scans-';

let written = 0;

/** Analyzes the named elements now (those not analyzed yet) and writes what the server needs to show them into `dir`. */
export function answerEarly(index: ElementIndex, tracker: FeatureTracker, names: string[], dir: string, log: Logger = silentLogger): EarlyAnswer {
  const t0 = Date.now();
  const lists: Array<[string, ParameterList]> = [];
  const { value: tracked, paths } = index.withModelReads(() => {
    try {
      const found = tracker.analyzeElements(index.findElementsEarly(names));
      // What the server reads to show them in a configuration (hovers, the plan's rewrites).
      for (const t of found) {
        const list = index.parameters(t.info.clickName);
        if (list) lists.push([t.info.clickName, list]);
      }
      return found;
    } catch (err) {
      // The server analyzes what is missing itself; the whole index goes on.
      log.warn(`early analysis of ${names.join(', ')} failed: ${describeError(err)}`);
      return [];
    }
  });
  if (!tracked.length) return { names, ms: Date.now() - t0 };
  const wanted = new Set(paths);
  for (const t of tracked) for (const f of [t.info.headerFile, ...t.info.sourceFiles, ...t.files]) wanted.add(f);
  const header: EarlyHeader = { models: [], snapshots: [], parameters: lists };
  const bodies: string[] = [];
  for (const path of wanted) {
    const hash = index.fileHash(path);
    const json = hash === undefined ? undefined : index.cache?.modelJson(path, hash);
    if (json === undefined || hash === undefined) continue;
    header.models.push([path, hash, json.length]);
    bodies.push(json);
  }
  for (const t of tracked) {
    const snap = tracker.snapshot(t.info.clickName);
    if (snap) header.snapshots.push(snap);
  }
  const file = join(dir, `${FILE_PREFIX}${process.pid}-${++written}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    // ASCII throughout (the pack's model JSON is): latin1 copies the strings as they are.
    writeFileSync(file, `${JSON.stringify(header)}\n${bodies.join('')}`, { encoding: 'latin1', mode: 0o600 });
  } catch (err) {
    log.warn(`could not write the early answer for ${names.join(', ')} (${describeError(err)}); the server analyzes them itself`);
    return { names, ms: Date.now() - t0 };
  }
  return { names, file, ms: Date.now() - t0 };
}

/**
 * Takes an early answer into a server's index: its models, for the files this index read with the
 * same content (another is parsed here when needed), and its snapshots, into the index's cache.
 * The file is removed. Returns how many models were taken.
 */
export function adoptEarlyAnswer(index: ElementIndex, answer: EarlyAnswer): number {
  if (!answer.file) return 0;
  let text: string;
  try {
    text = readFileSync(answer.file, 'latin1');
  } finally {
    rmSync(answer.file, { force: true });
  }
  const newline = text.indexOf('\n');
  const header = JSON.parse(text.slice(0, newline)) as EarlyHeader;
  if (newline < 0 || !Array.isArray(header?.models) || !Array.isArray(header.snapshots)) throw new Error(`${answer.file} is not an early answer`);
  const models: ModelJson[] = [];
  let at = newline + 1;
  for (const [path, hash, length] of header.models) {
    models.push({ path, hash, json: text.slice(at, at + length) });
    at += length;
  }
  for (const [key, snap] of header.snapshots) index.cache?.setElementSnapshot(key, snap);
  if (Array.isArray(header.parameters)) {
    index.adoptEarlyParameterLists(header.parameters.filter((p): p is [string, ParameterList] => Array.isArray(p) && typeof p[0] === 'string' && validParameterList(p[1])));
  }
  return index.adoptModels(models);
}

/**
 * Writes every file's stat, content hash and scan the child's cache holds (it has just read the
 * tree) into `dir`; the file's path, or undefined when it could not be written (the server then
 * reads the files itself).
 */
export function writeScans(cache: IndexCache, dir: string, log: Logger = silentLogger): string | undefined {
  const file = join(dir, `${SCANS_PREFIX}${process.pid}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(cache.files()), { mode: 0o600 });
    return file;
  } catch (err) {
    log.warn(`could not hand the file scans over (${describeError(err)}); the server reads the files itself`);
    return undefined;
  }
}

/**
 * Takes the child's scans into the server's cache, so its own build neither reads those files nor
 * stats them again (the child's stats are taken: the server watched the tree before the child read
 * it). The file is removed. Returns the paths taken.
 */
export function adoptScans(cache: IndexCache, file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } finally {
    rmSync(file, { force: true });
  }
  const files = JSON.parse(text) as unknown;
  if (!Array.isArray(files)) throw new Error(`${file} is not a list of file scans`);
  return cache.putFiles(files.filter((f): f is [unknown, unknown] => Array.isArray(f)));
}

/** Removes early answers and scans left in `dir` (the server's index ended before it read them). */
export function removeChildHandovers(dir: string): void {
  try {
    for (const f of readdirSync(dir)) if ((f.startsWith(FILE_PREFIX) || f.startsWith(SCANS_PREFIX)) && f.endsWith('.json')) rmSync(join(dir, f), { force: true });
  } catch {
    // No folder: nothing left.
  }
}
