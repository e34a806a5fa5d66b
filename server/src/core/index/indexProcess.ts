// A cold index out of process, the server's side: it forks dist/indexProcess.js (indexProcessMain.ts,
// a bundle of the index alone; its side is indexProcessChild.ts) with INDEX_PROCESS_FLAG, sends the
// request over the IPC channel, and the child runs buildIndexPack, sending back progress, log lines
// and the result. Out of process because a full parse and analysis of a real tree grows the heaps
// (V8's, tree-sitter's WASM memory, the allocator's) by hundreds of megabytes that a long-lived
// server would keep; a child gives them back to the system when it exits, and a crash in it costs
// the server nothing (the caller then indexes in process). This module loads nothing heavy: the
// server may fork the child before the rest of it is loaded (earlyIndexProcess.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CancelledError } from '../cancelled';
import { wasmDirectory } from '../distDirectory';
import type { Logger, LogLevel } from '../log';
import { withoutServerMallocTuning } from '../mallocTuning';
import { indexChildV8Args } from '../v8Flags';
import type { EarlyAnswer } from './earlyAnswer';
import type { IndexBuildProgress, IndexBuildRequest, IndexBuildResult } from './indexBuild';

export const INDEX_PROCESS_FLAG = '--flowmage-build-index';
const INDEX_PROCESS_FILE = 'indexProcess.js';

/** The child's script: in dist/, beside the .wasm files (a missing one makes the child fail, and the caller indexes in process). */
export function indexProcessScript(): string {
  try {
    return join(wasmDirectory(), INDEX_PROCESS_FILE);
  } catch {
    return INDEX_PROCESS_FILE;
  }
}

export type ToChild = { type: 'build'; request: IndexBuildRequest } | { type: 'early'; names: string[] };
export type FromChild =
  | ({ type: 'progress' } & IndexBuildProgress)
  | { type: 'early'; answer: EarlyAnswer }
  | { type: 'scanned'; file?: string }
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'done'; result: IndexBuildResult }
  | { type: 'failed'; message: string };

export interface IndexProcessOptions {
  onProgress?(p: IndexBuildProgress): void;
  /** Polled: once it returns true the child is killed and the promise rejects with CancelledError. */
  isCancelled?(): boolean;
  log?: Logger;
  /** Answers to the request's `early` names and to askEarly(), as the child gets to them. */
  onEarly?(answer: EarlyAnswer): void;
}

export interface IndexProcess {
  /** Rejects when the child fails or stops early (CancelledError when cancelled). */
  readonly result: Promise<IndexBuildResult>;
  /** Asks for more elements first; answered through onEarly (not at all once the child is done). */
  askEarly(names: string[]): void;
  /** The file holding the files' scans once the child has read the tree (earlyAnswer.ts); undefined when the child ends or fails first. */
  readonly scanned: Promise<string | undefined>;
  /** Kills the child: `result` rejects with CancelledError. */
  cancel(): void;
}

const CANCEL_POLL_MS = 100;
const STDERR_KEPT = 4096;

/** A child process started ahead of need: it loads its code while the caller finds out whether it needs it. */
export interface PreparedIndexProcess {
  /** Sends it the build request (once). */
  start(request: IndexBuildRequest, options?: IndexProcessOptions): IndexProcess;
  /** Stops it if it was never given a request. */
  dispose(): void;
}

/** Runs buildIndexPack in a child process running `script` (indexProcessScript(), or a test's). */
export function startIndexProcess(script: string, request: IndexBuildRequest, options: IndexProcessOptions = {}): IndexProcess {
  return prepareIndexProcess(script).start(request, options);
}

/**
 * Starts the child now and sends it the request later: a process and its bundle take a fifth of a
 * second to load, which the server's own start-up (settings, listing the tree) then hides.
 */
export function prepareIndexProcess(script: string): PreparedIndexProcess {
  let proc: ChildProcess | undefined;
  let forkError: Error | undefined;
  let stderr = '';
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  try {
    // No inherited --inspect and the like: a debugger port already in use would stop the child.
    proc = fork(script, [INDEX_PROCESS_FLAG], { execArgv: indexChildV8Args(), env: withoutServerMallocTuning(process.env), stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    proc.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_KEPT);
    });
    proc.on('exit', (code, signal) => (exited = { code, signal }));
    // An error before start() is reported by start(); one after, by the run's own handler.
    proc.on('error', (err) => (forkError ??= err));
  } catch (err) {
    forkError = err instanceof Error ? err : new Error(String(err));
  }
  let used = false;
  return {
    dispose() {
      if (used || !proc) return;
      used = true;
      if (proc.exitCode === null && proc.signalCode === null) proc.kill();
    },
    start(request, options = {}) {
      if (used) throw new Error('this index process was already used');
      used = true;
      let scannedFile: (file: string | undefined) => void = () => undefined;
      let cancel: () => void = () => undefined;
      const scanned = new Promise<string | undefined>((resolve) => (scannedFile = resolve));
      const result = new Promise<IndexBuildResult>((resolve, reject) => {
        let settled = false;
        const stopped = (code: number | null, signal: NodeJS.Signals | null) => {
          const tail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
          return new Error(`the index process stopped (${signal ?? `exit code ${code}`}) before it was done${tail}`);
        };
        const finish = (err: Error | undefined, result?: IndexBuildResult) => {
          if (settled) return;
          settled = true;
          scannedFile(undefined);
          clearInterval(poll);
          if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill();
          if (err) reject(err);
          else resolve(result!);
        };
        const poll = setInterval(() => {
          if (options.isCancelled?.()) finish(new CancelledError());
        }, CANCEL_POLL_MS);
        cancel = () => finish(new CancelledError());
        if (!proc || forkError) return finish(forkError ?? new Error('the index process could not be started'));
        if (exited) return finish(stopped(exited.code, exited.signal));
        proc.on('message', (m: FromChild) => {
          if (settled) return;
          if (m.type === 'progress') options.onProgress?.({ phase: m.phase, done: m.done, total: m.total });
          else if (m.type === 'early') options.onEarly?.(m.answer);
          else if (m.type === 'scanned') scannedFile(m.file);
          else if (m.type === 'log') options.log?.[m.level](m.message);
          else if (m.type === 'done') finish(undefined, m.result);
          else if (m.type === 'failed') finish(new Error(m.message));
        });
        proc.on('error', (err) => finish(err));
        proc.on('exit', (code, signal) => finish(stopped(code, signal)));
        send(proc, { type: 'build', request }, (err) => finish(err));
      });
      return {
        result,
        scanned,
        cancel: () => cancel(),
        askEarly(names) {
          if (proc?.connected && names.length) send(proc, { type: 'early', names }, () => undefined);
        },
      };
    },
  };
}

function send(child: ChildProcess, message: ToChild, onError: (err: Error) => void): void {
  try {
    child.send(message, (err) => {
      if (err) onError(err);
    });
  } catch (err) {
    // The channel closed under us: the exit handler says why.
    onError(err instanceof Error ? err : new Error(String(err)));
  }
}
