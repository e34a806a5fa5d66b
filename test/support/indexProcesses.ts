// The index's child processes of a server, read from /proc (no procps needed).
import { readdirSync, readFileSync } from 'node:fs';
import { INDEX_PROCESS_FLAG } from '../../server/src/core/index/indexProcess';

/** The pid of the server's index process, if it runs. */
export function indexProcessOf(serverPid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent pid is the 4th field of stat, after the command in parentheses.
      const ppid = Number(
        readFileSync(`/proc/${entry}/stat`, 'utf8')
          .replace(/^.*\) /s, '')
          .split(' ')[1],
      );
      if (ppid === serverPid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(INDEX_PROCESS_FLAG)) return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

/** Whether process `pid` still runs (a zombie counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
