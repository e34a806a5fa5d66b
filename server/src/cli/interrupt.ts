// Ctrl-C (SIGINT) and SIGTERM: finish what must not be lost, then exit. Commands register hooks
// (save the LLM answers received so far); temporary files of writes under way are removed. A
// second signal, or hooks that take longer than HOOK_TIMEOUT_MS, exit at once (still removing
// temporary files).
import { removeTempFilesSync } from '../core/files/atomicWrite';

const HOOK_TIMEOUT_MS = 5000;
const hooks = new Set<() => Promise<void>>();

/** Runs `hook` on an interrupt; returns a function that unregisters it. */
export function onInterrupt(hook: () => Promise<void>): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

export function installInterruptHandlers(report: (text: string) => void): void {
  let interrupted = false;
  const handle = (signal: NodeJS.Signals, code: number) => {
    if (interrupted) {
      removeTempFilesSync();
      process.exit(code);
    }
    interrupted = true;
    report(`flowmage: interrupted (${signal})${hooks.size ? '; saving what was done' : ''}\n`);
    const timeout = new Promise<void>((res) => setTimeout(res, HOOK_TIMEOUT_MS).unref());
    const all = Promise.allSettled([...hooks].map((h) => h()));
    void Promise.race([all, timeout]).then(() => {
      removeTempFilesSync();
      process.exit(code);
    });
  };
  process.on('SIGINT', () => handle('SIGINT', 130));
  process.on('SIGTERM', () => handle('SIGTERM', 143));
}
