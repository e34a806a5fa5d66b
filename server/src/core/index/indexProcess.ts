// A cold index out of process: the server forks its own script with INDEX_PROCESS_FLAG, sends the
// request over the IPC channel, and the child runs buildIndexPack, sending back progress, log lines
// and the result. Out of process because a full parse and analysis of a real tree grows the heaps
// (V8's, tree-sitter's WASM memory, the allocator's) by hundreds of megabytes that a long-lived
// server would keep; a child gives them back to the system when it exits, and a crash in it costs
// the server nothing (the caller then indexes in process).
import { fork, type ChildProcess } from 'node:child_process';
import { CancelledError } from '../cpp/elementIndex';
import { createLogger, describeError, type Logger, type LogLevel } from '../log';
import { withoutServerMallocTuning } from '../mallocTuning';
import type { EarlyAnswer } from './earlyAnswer';
import { buildIndexPack, type IndexBuildProgress, type IndexBuildRequest, type IndexBuildResult } from './indexBuild';

export const INDEX_PROCESS_FLAG = '--flowmage-build-index';

type ToChild = { type: 'build'; request: IndexBuildRequest } | { type: 'early'; names: string[] };
type FromChild =
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
}

const CANCEL_POLL_MS = 100;
const STDERR_KEPT = 4096;

/** Runs buildIndexPack in a child process running `script` (the server's own bundle). */
export function startIndexProcess(script: string, request: IndexBuildRequest, options: IndexProcessOptions = {}): IndexProcess {
  let child: ChildProcess | undefined;
  let scannedFile: (file: string | undefined) => void = () => undefined;
  const scanned = new Promise<string | undefined>((resolve) => (scannedFile = resolve));
  const result = new Promise<IndexBuildResult>((resolve, reject) => {
    let proc: ChildProcess;
    try {
      // No inherited --inspect and the like: a debugger port already in use would stop the child.
      proc = child = fork(script, [INDEX_PROCESS_FLAG], { execArgv: [], env: withoutServerMallocTuning(process.env), stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    } catch (err) {
      scannedFile(undefined);
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    let stderr = '';
    let settled = false;
    const finish = (err: Error | undefined, result?: IndexBuildResult) => {
      if (settled) return;
      settled = true;
      scannedFile(undefined);
      clearInterval(poll);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill();
      if (err) reject(err);
      else resolve(result!);
    };
    const poll = setInterval(() => {
      if (options.isCancelled?.()) finish(new CancelledError());
    }, CANCEL_POLL_MS);
    proc.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_KEPT);
    });
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
    proc.on('exit', (code, signal) => {
      const tail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
      finish(new Error(`the index process stopped (${signal ?? `exit code ${code}`}) before it was done${tail}`));
    });
    send(proc, { type: 'build', request }, (err) => finish(err));
  });
  return {
    result,
    scanned,
    askEarly(names) {
      if (child?.connected && names.length) send(child, { type: 'early', names }, () => undefined);
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

/** The child's side: one request answered over IPC, then exit. It also exits when the server goes away. */
export function serveIndexProcess(): void {
  const send = process.send?.bind(process);
  if (!send) {
    process.stderr.write(`${INDEX_PROCESS_FLAG} is for the FlowMage server's own child process (it needs an IPC channel)\n`);
    process.exit(2);
  }
  // Resolves once the message is handed to the channel, so nothing is lost when it closes.
  const post = (m: FromChild) =>
    new Promise<void>((resolve) => {
      if (!process.connected) return resolve();
      send(m, undefined, undefined, () => resolve());
    });
  process.on('disconnect', () => process.exit(0));
  const asked: string[] = [];
  let started = false;
  process.on('message', (m: ToChild) => {
    if (m?.type === 'early' && Array.isArray(m.names)) {
      asked.push(...m.names.filter((n) => typeof n === 'string'));
      return;
    }
    if (m?.type !== 'build' || started) {
      void post({ type: 'failed', message: 'unexpected message' }).then(() => process.exit(2));
      return;
    }
    started = true;
    buildIndexPack(m.request, {
      onProgress: (p) => void post({ type: 'progress', ...p }),
      takeEarly: () => asked.splice(0),
      onEarly: (answer) => void post({ type: 'early', answer }),
      onScanned: (file) => void post({ type: 'scanned', file }),
      // Every level: the server's own logger filters by its setting.
      log: createLogger(
        (level, message) => void post({ type: 'log', level, message }),
        () => 'debug',
      ),
    })
      .then(
        (result) => {
          const cpu = process.cpuUsage();
          return post({ type: 'done', result: { ...result, cpuMs: Math.round((cpu.user + cpu.system) / 1000) } });
        },
        (err) => post({ type: 'failed', message: describeError(err) }),
      )
      .finally(() => process.disconnect());
  });
}
