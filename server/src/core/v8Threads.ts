// The size of V8's pool of background threads (the optimizing compiler's jobs, the collector's
// concurrent marking) for the processes we start: the language server and its index child.
// Node gives every process four, whatever the machine. On two cores a cold index then runs about
// ten busy threads, and the two main threads, which carry the work everything waits for, get
// less of the cores than the background jobs they feed. Measured on a 2-core machine (upstream
// FastClick, cold start to "indexed", runs in turn): one background thread per process indexed
// the tree in 4.3-4.5 s against 4.9-5.6 s with the default, using about 0.5 s less CPU; two per
// process were no better than four. With more cores nothing was measured, so Node's default stays.
import { availableParallelism } from 'node:os';

/**
 * Node flags for a process we start. Electron sizes its pool itself and ignores the flag, so none
 * is given there (a desktop editor starts the server on Electron; a remote or web one on Node).
 */
export function v8ThreadArgs(cores = availableParallelism(), electron = process.versions.electron !== undefined): string[] {
  return cores <= 2 && !electron ? ['--v8-pool-size=1'] : [];
}
