// V8 flags for the processes we start: the language server and its index child.
//
// The pool of background threads (the optimizing compiler's jobs, the collector's concurrent
// marking): Node gives every process four, whatever the machine. On two cores a cold index then
// runs about ten busy threads, and the two main threads, which carry the work everything waits
// for, get less of the cores than the background jobs they feed. Measured on a 2-core machine
// (upstream FastClick, cold start to "indexed", runs in turn): one background thread per process
// indexed the tree in 4.2-4.4 s against 4.7-4.8 s with the default, with about 0.5 s less CPU; two
// per process were no better than four. With more cores nothing was measured: Node's default stays.
//
// Inlining, in the index child only: the child is a batch of a few seconds, and the optimizing
// compiler spent 1.5-2.5 s of CPU on it, much of it compiling large functions (the dataflow
// interpreter's, the tree converters') with their callees inlined, several times over as type
// feedback changed. Without inlining the child's main thread took as long (3.8-3.9 s in paired runs)
// and its background thread 0.5 s less CPU. A whole cold start used less CPU in 9 of 9 pairs (0.1 to
// 1.3 s) and was as fast within the host's noise (faster in 5 of 9): on a shared machine the CPU
// left is what the editor and the rest get. The long-lived server keeps inlining: its requests run
// the same code for hours.
import { availableParallelism } from 'node:os';

const isElectron = () => process.versions.electron !== undefined;

/** One background thread on one or two cores. Electron sizes its pool itself and ignores the flag, so none is given there (a desktop editor starts the server on Electron; a remote or web one on Node). */
function poolArgs(cores: number, electron: boolean): string[] {
  return cores <= 2 && !electron ? ['--v8-pool-size=1'] : [];
}

/** Flags for the language server. */
export function serverV8Args(cores = availableParallelism(), electron = isElectron()): string[] {
  return poolArgs(cores, electron);
}

/** Flags for the index's child process. */
export function indexChildV8Args(cores = availableParallelism(), electron = isElectron()): string[] {
  return [...poolArgs(cores, electron), '--no-turbo-inlining'];
}
