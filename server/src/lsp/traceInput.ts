// The capture named by flowmage.solver.trace, read for the flow analysis: resolved against the first
// workspace folder, reduced to flows once, and read again only when the path, size or modification
// time changes. Reading a local file is harmless in an untrusted workspace (nothing runs, nothing is
// sent); a file that cannot be used becomes a note, never an error.
import { promises as fs } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { TraceInput } from '../core/chains/analyzeConfig';
import { describeError } from '../core/log';
import { TraceFormatError } from '../core/rss/pcap';
import { captureFlows, MAX_TRACE_BYTES } from '../core/rss/traceBalance';
import { perServer, type ServerContext } from './context';

export interface TraceLoad {
  trace?: TraceInput;
  problem?: string;
}

export interface TraceInputService {
  current(): Promise<TraceLoad>;
}

export const traceInput: (ctx: ServerContext) => TraceInputService = perServer(create);

function create(ctx: ServerContext): TraceInputService {
  let cached: { stamp: string; load: TraceLoad } | undefined;
  return {
    async current() {
      const setting = ctx.settings().solver.trace.trim();
      if (!setting) return {};
      const base = ctx.workspaceFolders()[0];
      const path = isAbsolute(setting) || !base ? resolve(setting) : resolve(base, setting);
      let stamp: string;
      try {
        const st = await fs.stat(path);
        if (!st.isFile()) return { problem: `flowmage.solver.trace: ${setting} is not a file` };
        if (st.size > MAX_TRACE_BYTES) return { problem: `flowmage.solver.trace: ${setting} is larger than ${MAX_TRACE_BYTES / 1024 / 1024} MB; use a shorter capture` };
        stamp = `${path}:${st.size}:${st.mtimeMs}`;
      } catch (err) {
        return { problem: `flowmage.solver.trace: cannot read ${setting}: ${(err as NodeJS.ErrnoException).code ?? describeError(err)}` };
      }
      if (cached?.stamp === stamp) return cached.load;
      let load: TraceLoad;
      try {
        const read = captureFlows(await fs.readFile(path));
        load = { trace: { name: setting, flows: read.flows } };
        ctx.log.info(`trace ${setting}: ${read.packets} packets, ${read.kept} IPv4 in ${read.flows.length} flows${read.warning ? ` (${read.warning})` : ''}`);
      } catch (err) {
        load = { problem: `flowmage.solver.trace: ${setting}: ${err instanceof TraceFormatError ? err.message : describeError(err)}` };
        ctx.log.warn(load.problem!);
      }
      cached = { stamp, load };
      return load;
    },
  };
}
