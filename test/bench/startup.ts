// Start-up on the real FastClick tree (issue #12): the language server over stdio, from spawn to
// the first hover with features on an element of a FastClick configuration, cold (empty storage:
// a child process analyzes the configuration's classes first and hands them over, then the rest)
// and warm (the
// persistent index in the storage folder); the whole tree indexed; the server's memory after
// indexing (its own process: the child's is gone by then); and `flowmage optimize` on
// the same configuration, cold and warm (the CLI's cache in .flowmage/index/). Printed, not asserted.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { fastclickSourceDir } from '../support/fastclickSource';
import { ROOT, startServer, type TestClient } from '../protocol/lspClient';
import type { BenchResult } from './benchResult';

export const name = 'Start-up on the FastClick tree (language server and CLI)';

/** A DPDK configuration of FastClick's, and an instance in it whose class keeps per-flow state. */
const CONF = join('conf', 'nat', 'nat-dpdk.click');
const INSTANCE = 'tcp_rw';

interface IndexStatusReply {
  state: string;
  elements: number;
  files: number;
  partial: boolean;
  memory: { rss: number; heapUsed: number; cpuMs: number };
  cache?: { cachedFiles: number; modelHits: number; modelMisses: number };
  childIndex?: { ms: number; parsed: number; cpuMs?: number };
  parsedHere: number;
}

async function until<T>(probe: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface StartFigures {
  hoverMs: number;
  /** The server's CPU time when the first hover answered (the machine may be shared: wall time then grows, CPU time much less). */
  hoverCpuMs: number;
  indexedMs: number;
  indexedCpuMs: number;
  /** RSS 2.5 s after the index was done. */
  earlyRss: number;
  status: IndexStatusReply;
}

/** How long after the index the settled memory is read. */
const SETTLE_MS = 10_000;

/** Starts the server, opens the configuration, and times the first hover with features and the end of the index. */
async function start(workspace: string, source: string, storage: string): Promise<StartFigures> {
  const t0 = Date.now();
  const client: TestClient = await startServer({
    workspaceFolder: workspace,
    settings: { sourcePaths: [source] },
    initializationOptions: { trusted: true, storagePath: storage },
  });
  try {
    const file = join(workspace, 'nat-dpdk.click');
    const text = readFileSync(file, 'utf8');
    const uri = pathToFileURL(file).href;
    await client.open(uri, text);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.startsWith(`${INSTANCE} ::`));
    const position = { line, character: 1 };
    await until(async () => {
      const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
      const md = (h?.contents as MarkupContent | undefined)?.value ?? '';
      // Features shown (a stateful class names its flow key), not "still being built".
      return /Flow key|flow key|stateful|stateless/i.test(md) && !/still being built/.test(md) ? md : undefined;
    });
    const hoverMs = Date.now() - t0;
    const hoverCpuMs = (await client.connection.sendRequest<IndexStatusReply>('flowmage/indexStatus')).memory.cpuMs;
    const done = await until(async () => {
      const s = await client.connection.sendRequest<IndexStatusReply>('flowmage/indexStatus');
      return s.state === 'idle' && !s.partial && s.elements > 0 ? s : undefined;
    });
    const indexedMs = Date.now() - t0;
    // Memory once the index is built and the server collected (it runs with --expose-gc, as the
    // client starts it): 2.5 s after, and once the system got back what the collection freed.
    await new Promise((r) => setTimeout(r, 2500));
    const early = await client.connection.sendRequest<IndexStatusReply>('flowmage/indexStatus');
    await new Promise((r) => setTimeout(r, SETTLE_MS - 2500));
    const settled = await client.connection.sendRequest<IndexStatusReply>('flowmage/indexStatus');
    return { hoverMs, hoverCpuMs, indexedMs, indexedCpuMs: done.memory.cpuMs, status: settled, earlyRss: early.memory.rss };
  } finally {
    await client.shutdown();
  }
}

/** Runs `flowmage optimize`: wall time, and the CPU time it used (a preloaded hook reads process.cpuUsage at exit). */
function optimize(cwd: string, source: string, conf: string): { ms: number; cpuMs: number } {
  const hook = join(cwd, 'cpu-hook.js');
  writeFileSync(hook, `process.on('exit', () => { const c = process.cpuUsage(); require('fs').writeSync(2, '\\nCPU_MS ' + Math.round((c.user + c.system) / 1000) + '\\n'); });\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--require', hook, join(ROOT, 'dist', 'cli.js'), 'optimize', conf, '--source', source, '--json'], { cwd, encoding: 'utf8' });
  const ms = Date.now() - t0;
  if ((r.status !== 0 && r.status !== 1) || !r.stdout.includes('"chains"')) throw new Error(`optimize failed (${r.status}): ${r.stderr}`);
  const cpu = /CPU_MS (\d+)/.exec(r.stderr);
  return { ms, cpuMs: cpu ? Number(cpu[1]) : NaN };
}

export async function bench(): Promise<BenchResult[]> {
  const source = fastclickSourceDir();
  const tmp = mkdtempSync(join(tmpdir(), 'flowmage-bench-startup-'));
  try {
    const workspace = join(tmp, 'ws');
    const storage = join(tmp, 'storage');
    cpSync(join(source, CONF), join(workspace, 'nat-dpdk.click'));
    const cold = await start(workspace, source, storage);
    const warm = await start(workspace, source, storage);
    const conf = join(source, CONF);
    const cliCold = optimize(tmp, source, conf);
    const cliWarm = optimize(tmp, source, conf);
    const detail = (f: StartFigures) =>
      `${f.status.elements} elements in ${f.status.files} files; cache: ${f.status.cache?.cachedFiles ?? 0} files unchanged, ${f.status.cache?.modelHits ?? 0} models reused, ${f.status.cache?.modelMisses ?? 0} parsed`;
    const cpu = (ms: number) => `server CPU ${ms} ms`;
    const child = cold.status.childIndex;
    console.log(
      `  (load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} cores: wall times grow with the load, CPU times much less)`,
    );
    return [
      { name: 'first hover after server start, cold (empty storage)', value: cold.hoverMs, unit: 'ms', target: 3000, detail: `${cpu(cold.hoverCpuMs)}; ${INSTANCE} in ${CONF}` },
      { name: 'first hover after server start, warm (index cache)', value: warm.hoverMs, unit: 'ms', target: 1000, detail: cpu(warm.hoverCpuMs) },
      {
        name: 'whole tree indexed, cold',
        value: cold.indexedMs,
        unit: 'ms',
        target: 5000,
        detail: `${cpu(cold.indexedCpuMs)}${child ? `; a child process parsed ${child.parsed} files and analyzed the tree in ${child.ms} ms, CPU ${child.cpuMs} ms` : '; indexed in the server'}; ${detail(cold)}`,
      },
      { name: 'whole tree indexed, warm', value: warm.indexedMs, unit: 'ms', detail: `${cpu(warm.indexedCpuMs)}; ${detail(warm)}` },
      {
        name: `server RSS ${SETTLE_MS / 1000} s after a cold index`,
        value: cold.status.memory.rss,
        unit: 'MB',
        target: 150,
        detail: `${cold.earlyRss} MB at 2.5 s; heapUsed ${cold.status.memory.heapUsed} MB; C++ files the server parsed itself: ${cold.status.parsedHere}`,
      },
      {
        name: `server RSS ${SETTLE_MS / 1000} s after a warm index`,
        value: warm.status.memory.rss,
        unit: 'MB',
        target: 150,
        detail: `${warm.earlyRss} MB at 2.5 s; heapUsed ${warm.status.memory.heapUsed} MB`,
      },
      { name: 'flowmage optimize, cold (no .flowmage/index)', value: cliCold.ms, unit: 'ms', detail: `CPU ${cliCold.cpuMs} ms; ${CONF}` },
      { name: 'flowmage optimize, warm', value: cliWarm.ms, unit: 'ms', target: 1000, detail: `CPU ${cliWarm.cpuMs} ms; ${CONF}` },
    ];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
