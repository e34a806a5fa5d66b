// Captures read for the server: the one flowmage.solver.trace names (for the flow analysis) and one a
// request names (the chain view's `trace`). Resolved against the first workspace folder, reduced to
// flows once, and read again only when the path, size or modification time changes. Reading a local
// file is harmless in an untrusted workspace (nothing runs, nothing is sent); a file that cannot be
// used becomes a note, never an error.
import { promises as fs } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { TraceInput } from '../core/chains/analyzeConfig';
import { describeError } from '../core/log';
import { TraceFormatError } from '../core/rss/pcap';
import { captureFlows, MAX_TRACE_BYTES, type TraceFlows } from '../core/rss/traceBalance';
import { perServer, type ServerContext } from './context';

export interface TraceLoad {
  trace?: TraceInput;
  /** The capture as read (packet counts, warning), beside the flows the solver takes. */
  read?: TraceFlows;
  problem?: string;
}

export interface TraceInputService {
  /** The capture of flowmage.solver.trace; nothing when the setting is empty. */
  current(): Promise<TraceLoad>;
  /** A capture by path (absolute, or relative to the first workspace folder); `label` starts its problems. */
  read(file: string, label?: string): Promise<TraceLoad>;
}

export const traceInput: (ctx: ServerContext) => TraceInputService = perServer(create);

/** Captures kept read at once: the setting's and a few the chain view named. */
const MAX_CACHED = 4;

function create(ctx: ServerContext): TraceInputService {
  const cache = new Map<string, { stamp: string; load: TraceLoad }>();

  async function read(file: string, label?: string): Promise<TraceLoad> {
    const base = ctx.workspaceFolders()[0];
    const path = isAbsolute(file) || !base ? resolve(file) : resolve(base, file);
    const problem = (text: string): TraceLoad => ({ problem: label ? `${label}: ${text}` : text });
    let stamp: string;
    try {
      const st = await fs.stat(path);
      if (!st.isFile()) return problem(`${file} is not a file`);
      if (st.size > MAX_TRACE_BYTES) return problem(`${file} is larger than ${MAX_TRACE_BYTES / 1024 / 1024} MB; use a shorter capture`);
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch (err) {
      return problem(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? describeError(err)}`);
    }
    const key = `${label ?? ''}\u0000${path}`;
    const hit = cache.get(key);
    if (hit?.stamp === stamp) return hit.load;
    let load: TraceLoad;
    try {
      const flows = captureFlows(await fs.readFile(path));
      load = { trace: { name: file, flows: flows.flows }, read: flows };
      ctx.log.info(`trace ${file}: ${flows.packets} packets, ${flows.kept} IPv4 in ${flows.flows.length} flows${flows.warning ? ` (${flows.warning})` : ''}`);
    } catch (err) {
      load = problem(`${file}: ${err instanceof TraceFormatError ? err.message : describeError(err)}`);
      ctx.log.warn(load.problem!);
    }
    cache.delete(key);
    cache.set(key, { stamp, load });
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
    return load;
  }

  return {
    read,
    async current() {
      const setting = ctx.settings().solver.trace.trim();
      if (!setting) return {};
      return read(setting, 'flowmage.solver.trace');
    },
  };
}
