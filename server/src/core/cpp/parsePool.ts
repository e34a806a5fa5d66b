// Parse helpers: worker threads (parseWorker.ts, bundled beside the products as dist/parseWorker.js)
// that parse C++ files while the index's own thread parses and analyzes. A cold index of a real
// tree spends most of its time in tree-sitter; the helpers take files from the end of the list
// while the index's thread asks for files as its work needs them, so both cores of a small machine
// are busy and no file is parsed twice.
//
// The two sides share one claim slot per file (a SharedArrayBuffer): whoever claims a file first
// parses it. The index's thread never waits for a message: when it needs a file a helper claimed,
// it blocks on that slot (Atomics.wait) until the helper is done, then takes the model from the
// helper's port synchronously (receiveMessageOnPort). That wait is at most one file's parse.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { wasmDirectory } from '../treeSitter';

export interface ParseJob {
  path: string;
  text: string;
  mtimeMs: number;
  size: number;
}

export type ParseReply = { path: string; json: string; error?: undefined } | { path: string; json?: undefined; error: string };

/** What a helper is sent once the jobs are known (parseWorker.ts). */
export interface ParseAssignment {
  jobs: ParseJob[];
  /** One slot per job (SLOT below), then the cursor helpers take jobs from (counting down). */
  slots: SharedArrayBuffer;
  /** This helper's number: its claims are written as CLAIMED_BY + helper. */
  helper: number;
  replies: MessagePort;
}

/** The states of a job's slot. */
export const SLOT = { free: 0, here: 1, done: 2, failed: 3, claimedBy: 4 } as const;

export const PARSE_WORKER_FILE = 'parseWorker.js';

/**
 * A helper that holds one file longer than this is given up on and the file is parsed here. A
 * helper that ends is noticed on the event loop, which does not turn while this thread waits: the
 * limit also bounds the wait for one that died holding a file (it never happened in tests; a
 * file's parse is caught in the helper, and its failure reported).
 */
const WAIT_LIMIT_MS = 10_000;

/** The worker's bundle, next to the .wasm files in dist/; undefined when it was not built. */
export function parseWorkerScript(): string | undefined {
  try {
    const file = join(wasmDirectory(), PARSE_WORKER_FILE);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parse helpers worth starting beside the index's thread: one per other core, up to 3 (more than
 * that outrun what one thread can take in and analyze), and none below 4 cores. On the 2-core
 * machines this was measured on, one helper took a third of the files off the index's thread but
 * the whole-tree index was no faster (6.3 and 7.6 s against 6.2 and 6.3 s) and used 20-40% more
 * CPU: two threads there reach about 1.5 times the throughput of one, and the helper's runtime and
 * compiler threads take the rest.
 */
export function defaultParseWorkers(cores = availableParallelism()): number {
  return cores >= 4 ? Math.min(3, cores - 1) : 0;
}

/**
 * Parse helpers for one set of files. Start them early (their runtime loads while the files are
 * read), give them the jobs once known, then ask `take()` for each file before parsing it.
 */
export class ParseHelpers {
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private slots: Int32Array | undefined;
  private readonly jobIndex = new Map<string, number>();
  private readonly arrived = new Map<string, ParseReply>();
  private readonly ended: Promise<void>;
  private readonly ready: Promise<void>;
  /** Models a helper produced and this thread took. */
  readonly stats = { taken: 0 };

  private constructor(script: string, count: number) {
    const exits: Promise<void>[] = [];
    const readies: Promise<void>[] = [];
    for (let helper = 0; helper < count; helper++) {
      let worker: Worker;
      try {
        // No inherited --inspect: a second debugger on the same port would stop the worker.
        worker = new Worker(script, { execArgv: [] });
      } catch {
        break;
      }
      this.workers.push(worker);
      readies.push(new Promise<void>((resolve) => worker.once('message', () => resolve()).once('exit', () => resolve())));
      exits.push(
        new Promise<void>((resolve) => {
          // A helper that dies (out of memory, a crash) takes only its file in flight: it is released to this thread.
          worker.on('error', () => undefined);
          worker.on('exit', () => {
            this.releaseClaims(helper);
            resolve();
          });
        }),
      );
      // A helper must not keep the process alive (listeners added before, so none refs it again).
      worker.unref();
    }
    this.ended = Promise.all(exits).then(() => undefined);
    this.ready = Promise.all(readies).then(() => undefined);
  }

  /** Starts `count` helpers (default: defaultParseWorkers()); undefined when none can run here. */
  static start(count = defaultParseWorkers()): ParseHelpers | undefined {
    const script = parseWorkerScript();
    if (!script || count < 1) return undefined;
    const helpers = new ParseHelpers(script, count);
    return helpers.workers.length ? helpers : undefined;
  }

  /**
   * Gives the helpers their files. They take them from the end of the list; this thread takes
   * what it needs, and can go through the list from the start.
   */
  assign(jobs: readonly ParseJob[]): void {
    if (this.slots) throw new Error('the parse helpers already have their files');
    const shared = new SharedArrayBuffer((jobs.length + 1) * Int32Array.BYTES_PER_ELEMENT);
    this.slots = new Int32Array(shared);
    Atomics.store(this.slots, jobs.length, jobs.length);
    jobs.forEach((j, i) => this.jobIndex.set(j.path, i));
    this.workers.forEach((worker, helper) => {
      const { port1, port2 } = new MessageChannel();
      this.ports.push(port1);
      const assignment: ParseAssignment = { jobs: [...jobs], slots: shared, helper, replies: port2 };
      worker.postMessage(assignment, [port2]);
    });
  }

  /**
   * The model JSON of one of the helpers' files: a helper's, waiting for it if a helper is parsing
   * it now; undefined when this thread should parse it (nobody had claimed it, a helper failed on
   * it, or the file is not theirs), and it is then claimed here so that no helper parses it too.
   */
  take(path: string): string | undefined {
    const slots = this.slots;
    const i = this.jobIndex.get(path);
    if (!slots || i === undefined) return undefined;
    let state = Atomics.compareExchange(slots, i, SLOT.free, SLOT.here);
    if (state === SLOT.free || state === SLOT.here) return undefined;
    if (state >= SLOT.claimedBy) state = this.waitFor(slots, i, state);
    if (state !== SLOT.done) return undefined;
    const reply = this.reply(path);
    if (reply?.json === undefined) return undefined;
    this.stats.taken++;
    return reply.json;
  }

  /** Waits until the helper that claimed slot `i` is done with it; the slot's state then. */
  private waitFor(slots: Int32Array, i: number, claimed: number): number {
    Atomics.wait(slots, i, claimed, WAIT_LIMIT_MS);
    // Still held: given up on (a later answer from the helper is ignored).
    let state = Atomics.compareExchange(slots, i, claimed, SLOT.here);
    if (state === claimed) state = SLOT.here;
    return state;
  }

  /** Files a helper that stopped still held are marked failed: whoever needs them parses them. */
  private releaseClaims(helper: number): void {
    const slots = this.slots;
    if (!slots) return;
    const claimed = SLOT.claimedBy + helper;
    for (let i = 0; i < slots.length - 1; i++) Atomics.compareExchange(slots, i, claimed, SLOT.failed);
  }

  /** The helper's reply for `path`, from the replies that arrived (read synchronously from the ports). */
  private reply(path: string): ParseReply | undefined {
    for (let attempt = 0; attempt < 2 && !this.arrived.has(path); attempt++) this.drain();
    const reply = this.arrived.get(path);
    this.arrived.delete(path);
    return reply;
  }

  private drain(): void {
    for (const port of this.ports) {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        const reply = m.message as ParseReply;
        this.arrived.set(reply.path, reply);
      }
    }
  }

  /**
   * Models the helpers finished and nobody took yet, handed over once (the index keeps them for
   * when they are asked for).
   */
  takeFinished(): Array<{ path: string; json: string }> {
    this.drain();
    const out: Array<{ path: string; json: string }> = [];
    for (const [path, reply] of this.arrived) if (reply.json !== undefined) out.push({ path, json: reply.json });
    this.arrived.clear();
    this.stats.taken += out.length;
    return out;
  }

  /** Resolves once every helper has loaded its parser (or stopped). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Resolves once every helper has stopped (its files done, or stop() called). */
  whenEnded(): Promise<void> {
    return this.ended;
  }

  /**
   * Stops the helpers: the files they had not finished are left to this thread, the models they
   * sent can still be taken, and the threads end (their WASM memory goes back to the system).
   */
  stop(): void {
    const slots = this.slots;
    if (slots) Atomics.store(slots, slots.length - 1, 0);
    // Models already sent stay takeable.
    this.drain();
    for (const w of this.workers) void w.terminate();
    for (const p of this.ports) p.close();
    this.ports.length = 0;
    this.workers.forEach((_, helper) => this.releaseClaims(helper));
  }
}
