// glibc's malloc tuning for the long-running language server, set through its environment by the
// clients that start it (protocol.ts). By default glibc raises its mmap threshold each time a large
// block is freed, so later large, short-lived buffers (files read, the pack's header, the index
// process's early answers) land in the heap and stay there as fragmentation: 10 to 20 MB after a
// cold index of FastClick. A fixed threshold keeps them in their own mappings, returned when freed.
// Other C libraries, and allocators that replace malloc, ignore the variable.
export const SERVER_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: String(1024 * 1024) };

/** `env` without the server's tuning: a short-lived process (the index's child) gives its memory back at exit, and runs faster with glibc's defaults. */
export function withoutServerMallocTuning(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of Object.keys(SERVER_MALLOC_ENV)) delete out[k];
  return out;
}
