// Parses many C++ files at once in worker threads (parseWorker.ts, bundled beside the products as
// dist/parseWorker.js): a cold index of a real tree spends half its time in tree-sitter, which runs
// on every core this way instead of one, and the workers' WASM heaps are freed when they end, so
// the server does not keep the memory of the largest parse for its lifetime. Files a worker could
// not parse are left out of the result: the caller parses them itself (and reports why).
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
  /** Workers to start (default: one per core, at most 4). */
  workers?: number;
  isCancelled?(): boolean;
  onProgress?(done: number, total: number): void;
}

export const PARSE_WORKER_FILE = 'parseWorker.js';

/** The worker's bundle, next to the .wasm files in dist/; undefined when it was not built. */
export function parseWorkerScript(): string | undefined {
  try {
    const file = join(wasmDirectory(), PARSE_WORKER_FILE);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Each parsed file's model JSON (modelCodec.ts) by path; files that failed, or were not reached, are absent. */
export async function parseInWorkers(jobs: readonly ParseJob[], options: ParsePoolOptions = {}): Promise<Map<string, string>> {
  const models = new Map<string, string>();
  const script = parseWorkerScript();
  const count = Math.min(jobs.length, options.workers ?? Math.min(4, availableParallelism()));
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
      const feed = () => {
        if (next >= jobs.length || options.isCancelled?.()) return stop();
        worker.postMessage(jobs[next++]);
      };
      worker.on('message', (reply: ParseReply) => {
        if (reply.json !== undefined) models.set(reply.path, reply.json);
        options.onProgress?.(++done, jobs.length);
        feed();
      });
      // A worker that dies (out of memory, a crash) takes only its current file: the caller parses it.
      worker.on('error', () => resolve());
      worker.on('exit', () => resolve());
      feed();
    });
  await Promise.all(Array.from({ length: count }, runWorker));
  return models;
}
