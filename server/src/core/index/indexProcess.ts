// A cold index out of process: the server forks its own script with INDEX_PROCESS_FLAG, sends the
// request over the IPC channel, and the child runs buildIndexPack, sending back progress, log lines
// and the result. Out of process because a full parse and analysis of a real tree grows the heaps
// (V8's, tree-sitter's WASM memory, the allocator's) by hundreds of megabytes that a long-lived
// server would keep; a child gives them back to the system when it exits, and a crash in it costs
// the server nothing (the caller then indexes in process).
import { fork, type ChildProcess } from 'node:child_process';
import { CancelledError } from '../cpp/elementIndex';
import { createLogger, describeError, type Logger, type LogLevel } from '../log';
import { buildIndexPack, type IndexBuildProgress, type IndexBuildRequest, type IndexBuildResult } from './indexBuild';

export const INDEX_PROCESS_FLAG = '--flowmage-build-index';

type ToChild = { type: 'build'; request: IndexBuildRequest };
type FromChild =
  | ({ type: 'progress' } & IndexBuildProgress)
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'done'; result: IndexBuildResult }
  | { type: 'failed'; message: string };

export interface IndexProcessOptions {
  onProgress?(p: IndexBuildProgress): void;
  /** Polled: once it returns true the child is killed and the promise rejects with CancelledError. */
  isCancelled?(): boolean;
  log?: Logger;
}

const CANCEL_POLL_MS = 100;
const STDERR_KEPT = 4096;

/** Runs buildIndexPack in a child process running `script` (the server's own bundle). Rejects when the child fails or stops early. */
export function buildIndexInChildProcess(script: string, request: IndexBuildRequest, options: IndexProcessOptions = {}): Promise<IndexBuildResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      // No inherited --inspect and the like: a debugger port already in use would stop the child.
      child = fork(script, [INDEX_PROCESS_FLAG], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    let stderr = '';
    let settled = false;
    const finish = (err: Error | undefined, result?: IndexBuildResult) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      if (child.exitCode === null && child.signalCode === null) child.kill();
      if (err) reject(err);
      else resolve(result!);
    };
    const poll = setInterval(() => {
      if (options.isCancelled?.()) finish(new CancelledError());
    }, CANCEL_POLL_MS);
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_KEPT);
    });
    child.on('message', (m: FromChild) => {
      if (m.type === 'progress') options.onProgress?.({ phase: m.phase, done: m.done, total: m.total });
      else if (m.type === 'log') options.log?.[m.level](m.message);
      else if (m.type === 'done') finish(undefined, m.result);
      else if (m.type === 'failed') finish(new Error(m.message));
    });
    child.on('error', (err) => finish(err));
    child.on('exit', (code, signal) => {
      const tail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
      finish(new Error(`the index process stopped (${signal ?? `exit code ${code}`}) before it was done${tail}`));
    });
    child.send({ type: 'build', request } satisfies ToChild, (err) => {
      if (err) finish(err);
    });
  });
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
  process.once('message', (m: ToChild) => {
    if (m?.type !== 'build') {
      void post({ type: 'failed', message: 'unexpected message' }).then(() => process.exit(2));
      return;
    }
    buildIndexPack(m.request, {
      onProgress: (p) => void post({ type: 'progress', ...p }),
      // Every level: the server's own logger filters by its setting.
      log: createLogger((level, message) => void post({ type: 'log', level, message }), () => 'debug'),
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
