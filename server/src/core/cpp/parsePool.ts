// Parses many C++ files at once in worker threads (parseWorker.ts, bundled beside the products as
// dist/parseWorker.js): a cold index of a real tree spends half its time in tree-sitter, which runs
// on several cores this way instead of one (on machines with enough of them: defaultParseWorkers),
// and the workers' WASM heaps are freed when they end. Files a worker could not parse are left out
// of the result: the caller parses them itself (and reports why).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { wasmDirectory } from '../treeSitter';

export interface ParseJob {
  path: string;
  text: string;
  mtimeMs: number;
  size: number;
}

export type ParseReply = { path: string; json: string; error?: undefined } | { path: string; json?: undefined; error: string };

export interface ParsePoolOptions {
  /** Workers to start (default: defaultParseWorkers()). */
  workers?: number;
  isCancelled?(): boolean;
  onProgress?(done: number, total: number): void;
}

export const PARSE_WORKER_FILE = 'parseWorker.js';
/** Files sent ahead to each worker, so it never waits for this thread between two files. */
const IN_FLIGHT = 3;

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
 * Parse workers worth starting on this machine: one per core up to 4, none below 4 cores. On 2
 * cores (the machines this was measured on) two workers made a whole-tree `analyze` 1.19x slower in
 * wall time and 1.37x in CPU than parsing on one thread: each worker compiles its own tree-sitter
 * runtime and the models cross threads as JSON, and two cores leave nothing to gain that back.
 */
export function defaultParseWorkers(cores = availableParallelism()): number {
  return cores >= 4 ? Math.min(4, cores) : 0;
}

/** Each parsed file's model JSON (modelCodec.ts) by path; files that failed, or were not reached, are absent. */
export async function parseInWorkers(jobs: readonly ParseJob[], options: ParsePoolOptions = {}): Promise<Map<string, string>> {
  const models = new Map<string, string>();
  const script = parseWorkerScript();
  const count = Math.min(jobs.length, options.workers ?? defaultParseWorkers());
  if (!script || count < 1) return models;
  let next = 0;
  let done = 0;
  const runWorker = () =>
    new Promise<void>((resolve) => {
      let worker: Worker;
      try {
        // No inherited --inspect: a second debugger on the same port would stop the worker.
        worker = new Worker(script, { execArgv: [] });
      } catch {
        return resolve();
      }
      const stop = () => {
        void worker.terminate();
        resolve();
      };
      let inFlight = 0;
      const feed = () => {
        while (inFlight < IN_FLIGHT && next < jobs.length && !options.isCancelled?.()) {
          worker.postMessage(jobs[next++]);
          inFlight++;
        }
        if (inFlight === 0) stop();
      };
      worker.on('message', (reply: ParseReply) => {
        inFlight--;
        if (reply.json !== undefined) models.set(reply.path, reply.json);
        options.onProgress?.(++done, jobs.length);
        feed();
      });
      // A worker that dies (out of memory, a crash) takes only its files in flight: the caller parses them.
      worker.on('error', () => resolve());
      worker.on('exit', () => resolve());
      feed();
    });
  await Promise.all(Array.from({ length: count }, runWorker));
  return models;
}
