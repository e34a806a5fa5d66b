// Turns what a FastClick driver prints while loading a configuration into a comparable list of errors:
// one string per error, with the context Click gives it ("While configuring 'x :: Class':"), and
// without what changes from run to run or between two copies of a file (paths, line numbers,
// addresses, timings, DPDK's start-up chatter).

/** Lines that are DPDK or FastClick progress reports, never errors. */
const NOISE = [/^(EAL|TELEMETRY|USER1|PMD|ETHDEV|MBUF|MEMPOOL|RING|HASH|LPM|ACL|CRYPTODEV|VHOST_CONFIG|NULL|net_null)\b[:\s]/i, /^Initializing DPDK/i, /^Port \d+:/, /^\s*$/];

/** Click's error-context line, e.g. "While configuring 'x :: Class':" or "While initializing 'x :: Class':". */
const CONTEXT = /^(While [a-z]+ '.*':|In definition of '.*':|Errors in .*:)$/i;

/**
 * Messages that are not errors. Click prints errors and notices alike (no level in the text): warnings
 * carry "warning:"; the DPDK Flow Rule Manager reports its progress with plain messages.
 */
const NOT_ERROR = [
  /^(warning\b|note:|info:)/i, // Click's "warning:" and FastClick's "Warning!" / "Warning:"
  // FromDPDKDevice / ToDPDKDevice reporting their thread and queue assignment
  /^\S+: (\d+ threads (will be used to push packets downstream|can end up in this output devices)|using queues from \d+ to \d+$|Queue \d+ handled by th \d+$)/,
  /^Default number of descriptors is set/,
  /^\S+ won't be in batch mode because/,
  // the flow subsystem placing per-flow state (FCB) and elements reporting their memory layout
  /^Placing .* at \[\d+-\d+\]$/,
  /^Per-flow size is \d+$/,
  /^\S+ alignment: /,
  /^DPDK Flow Rule Manager \(port \d+\): (State |Opened file|Loaded (\d+)\/\2 rules|Nothing to flush|Created|Destroyed|Parser deleted|Parsed and installed)/,
  /^Keyword '[^']*' is not in /, // the rule manager looking for a queue index, quoting the rule...
  /^'$/, // ...whose newline ends the quote on the next line
];

/**
 * What the DPDK null device answers to a flow rule that parsed: it implements no flow API, so the
 * install fails and FastClick stops initializing. docs/ARCHITECTURE.md §7: that means "syntax accepted".
 */
const NULL_DEVICE_FLOW_LIMIT = /Function not implemented/;
const NULL_DEVICE_CONSEQUENCES = [
  NULL_DEVICE_FLOW_LIMIT,
  /^DPDK Flow Rule Manager \(port \d+\): Flow installation failed/,
  /Could not configure all rules for device \d+$/,
  /^Router could not be initialized!$/,
];

/** Strips what varies between runs or copies: file landmarks, addresses, timings, numbers of bytes. */
export function normalizeLine(line: string): string {
  return (
    line
      // eslint-disable-next-line no-control-regex -- ANSI colour sequences start with ESC
      .replace(/\x1b\[[0-9;]*m/g, '') // colours
      .replace(/^\S+?\.click(?::\d+)*:\s*/, '') // "file.click:12: " landmarks (the copy lives elsewhere)
      .replace(/^<[a-z-]+>:\d*:?\s*/, '') // "<expr>:1: " landmarks
      .replace(/\b0x[0-9a-f]+\b/gi, '0x?')
      .replace(/\b\d+(\.\d+)?\s?(ns|us|µs|ms|s)\b/g, '?s')
      .replace(/(\/[\w.@+-]+)+\/([\w.@+-]+)/g, '$2') // absolute paths: keep the base name
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/**
 * The errors in a FastClick driver's stderr, normalized. A message indented under a context line is
 * reported as "context message"; warnings and DPDK chatter are dropped. A message repeated for the same
 * context (FastClick repeats some per thread) is kept once.
 */
export function normalizeErrors(stderr: string): string[] {
  const out: string[] = [];
  let context: string | undefined;
  for (const raw of stderr.split(/\r?\n/)) {
    if (NOISE.some((re) => re.test(raw.trim()))) continue;
    const indented = /^\s/.test(raw);
    const line = normalizeLine(raw);
    if (!line) continue;
    if (CONTEXT.test(line)) {
      context = line;
      continue;
    }
    if (!indented) context = undefined;
    if (NOT_ERROR.some((re) => re.test(line))) continue;
    const message = context && indented ? `${context} ${line}` : line;
    if (!out.includes(message)) out.push(message);
  }
  return out;
}

/**
 * Drops the failure net_null causes when asked to install flow rules that parsed (and what follows
 * from it), so that a rules file FastClick accepts does not count as an error on the test devices.
 */
export function withoutNullDeviceFlowLimit(errors: readonly string[]): string[] {
  if (!errors.some((e) => NULL_DEVICE_FLOW_LIMIT.test(e))) return [...errors];
  return errors.filter((e) => !NULL_DEVICE_CONSEQUENCES.some((re) => re.test(e)));
}

/** The errors of `after` that `before` did not have (each occurrence counted once). */
export function newErrors(before: readonly string[], after: readonly string[]): string[] {
  const known = new Set(before);
  return after.filter((e) => !known.has(e));
}
