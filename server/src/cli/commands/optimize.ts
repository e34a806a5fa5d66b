// `flowmage optimize`: solve every chain of a configuration and print the optimized text (default),
// a unified diff, the plan as JSON, or write the file in place.
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { analyzeConfig, type ConfigAnalysis, type TraceInput } from '../../core/chains/analyzeConfig';
import { elementInfo } from '../../core/chains/elementLookup';
import { planSummary } from '../../core/chains/summary';
import { ClickDocument } from '../../core/click/clickDocument';
import { lineIndexOf } from '../../core/click/modelLines';
import { analyzeOptions, indexOptions } from '../../config/coreOptions';
import { NIC_PROFILES } from '../../core/solver/candidates';
import { candidateLabel } from '../../core/solver/solve';
import { TraceFormatError } from '../../core/rss/pcap';
import { captureFlows, MAX_TRACE_BYTES, traceBalanceLines, type TraceFlows } from '../../core/rss/traceBalance';
import { FileWriteError, readSnapshot, writeFilesAtomic, type FileSnapshot, type FileWrite } from '../../core/files/atomicWrite';
import { decodeUtf8Strict, TextDecodeError } from '../../core/files/textFile';
import { REWRITE_TARGETS } from '../../core/rewrite/deployTarget';
import { applyEdits, type LineIndex } from '../../core/text';
import { loadSourceTree } from '../sourceTree';
import { commandSettings, sourceRoots, storePath, workspaceOption } from '../settingsOption';
import { CliError, EXIT_OK, EXIT_PROBLEMS, stringList, stringOption, type CliIO, type Command, type ParsedArgs } from '../command';

export const optimizeCommand: Command = {
  name: 'optimize',
  summary: 'choose the RSS fields and per-element state sharing for each chain, and rewrite the configuration',
  usage: 'FILE.click [--workspace DIR] [--source DIR ...] [--store FILE] [--nic PROFILE] [--model NAME] [--target TARGET] [--trace FILE [--queues N]] [--json | --diff | --write]',
  options: [
    workspaceOption("the configuration's folder"),
    {
      name: 'source',
      type: 'string',
      multiple: true,
      value: 'DIR',
      description: "C++ element sources (default: flowmage.sourcePaths, else the workspace folder, else the configuration's folder)",
    },
    {
      name: 'store',
      type: 'string',
      value: 'FILE',
      description: 'feature store to reuse and update, LLM answers stored there merged in (default: flowmage.store.path in a workspace with settings files)',
    },
    { name: 'no-cache', type: 'boolean', description: 'do not read or write the persistent index in .flowmage/index/ (every C++ file is parsed again)' },
    { name: 'nic', type: 'string', value: 'PROFILE', description: `RSS field sets the NIC supports: ${NIC_PROFILES.filter((p) => p !== 'custom').join(', ')}` },
    {
      name: 'model',
      type: 'string',
      value: 'NAME',
      description: 'use stored LLM answers of this model (default: flowmage.llm.model in a workspace with settings files, else the newest of any model)',
    },
    { name: 'diff', type: 'boolean', description: 'print a unified diff instead of the configuration' },
    {
      name: 'write',
      type: 'boolean',
      description: "rewrite FILE.click in place (a symlink's target; refused if the file changed meanwhile, is read-only or has hard links), with the flow rules files it names",
    },
    { name: 'force', type: 'boolean', description: 'with --write: also rewrite a read-only file' },
    { name: 'target', type: 'string', value: 'TARGET', description: `how to write the plan (default: flowmage.rewrite.target): ${REWRITE_TARGETS.join(', ')}` },
    {
      name: 'trace',
      type: 'string',
      value: 'FILE',
      description:
        "a pcap or pcapng capture: the solver weighs each candidate's RSS imbalance on it (with the --nic profile's key and RETA), rejects those over flowmage.solver.maxImbalance, and prints them",
    },
    { name: 'queues', type: 'string', value: 'N', description: "with --trace: RSS queues to simulate (default: each chain's receive queues, else 16)" },
  ],
  positionals: { min: 1, max: 1, names: 'one FILE.click' },
  run: runOptimize,
};

export interface OptimizeJson {
  file: string;
  chains: Array<{
    input: string;
    threads: number | null;
    rss: string[];
    /** How the chosen hashing is made symmetric, when an element sees both directions. */
    symmetric?: { how: string; func?: string };
    /** With --trace: max / mean queue load of the chosen hashing. */
    imbalance?: number;
    notes: string[];
    currentRss: { fields: string[]; source: 'parameter' | 'default' };
    elements: Record<string, { class: string; shared: boolean | null; reason: string; flowKey: string[] }>;
    cost: number;
    alternatives: Array<{
      rss: string[];
      symmetric?: { how: string; func?: string };
      cost: number;
      imbalance?: number;
      rejected?: string;
      sharedNothing: string[];
      verdict: string;
    }>;
    conflicts: Array<{ element: string; disjointWith: string[]; reason: string }>;
    tieBreak: { method: string; ranking: string[]; detail: string };
    deploy: { target: 'fork' | 'flow-rules' | 'none'; reason: string; rulesFile?: string; notes: string[] };
  }>;
  edits: Array<{ range: { start: { line: number; column: number }; end: { line: number; column: number } }; newText: string }>;
  /** Files written with the edits (DPDK flow rules). */
  files: Array<{ path: string; exists: boolean; content: string }>;
  findings: Array<{ code: string; severity: string; message: string; line: number; column: number }>;
  notes: string[];
}

async function runOptimize(args: ParsedArgs, io: CliIO): Promise<number> {
  const file = resolve(io.cwd, args.positionals[0]);
  const modes = ['json', 'diff', 'write'].filter((m) => args.values[m]);
  if (modes.length > 1) throw new CliError(`optimize: choose one of --json, --diff, --write (got ${modes.map((m) => `--${m}`).join(' ')})`);
  const nicFlag = stringOption(args, 'nic');
  if (nicFlag !== undefined && (!(NIC_PROFILES as readonly string[]).includes(nicFlag) || nicFlag === 'custom')) {
    throw new CliError(`optimize: --nic must be one of ${NIC_PROFILES.filter((p) => p !== 'custom').join(', ')}, got "${nicFlag}"`);
  }
  const targetFlag = stringOption(args, 'target');
  if (targetFlag !== undefined && !(REWRITE_TARGETS as readonly string[]).includes(targetFlag)) {
    throw new CliError(`optimize: --target must be one of ${REWRITE_TARGETS.join(', ')}, got "${targetFlag}"`);
  }
  // Flags over the workspace's settings files over the defaults, as the editor would read them.
  const ws = commandSettings('optimize', args, io, dirname(file), { solver: { nicProfile: nicFlag }, rewrite: { target: targetFlag } });
  const { settings } = ws;
  if (args.values.force && !args.values.write) throw new CliError('optimize: --force only applies to --write');
  // The bytes as read: --write replaces the file only if it still holds exactly these.
  let snapshot: FileSnapshot;
  let text: string;
  try {
    snapshot = await readSnapshot(file);
    text = decodeUtf8Strict(snapshot.bytes, args.positionals[0]);
  } catch (err) {
    if (err instanceof FileWriteError || err instanceof TextDecodeError) throw new CliError(`optimize: ${err.message}`);
    throw new CliError(`optimize: cannot read ${args.positionals[0]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const model = (await ClickDocument.create(text)).model;
  const lines = lineIndexOf(model);
  /** `line:column`, 1-based, of an offset in the file. */
  const at = (offset: number) => {
    const p = lines.position(offset);
    return `${p.line + 1}:${p.character + 1}`;
  };
  const errors = model.problems.filter((p) => p.severity === 'error');
  if (errors.length) {
    for (const p of errors) io.err(`${args.positionals[0]}:${at(p.range.startOffset)}: error: ${p.message}\n`);
    return EXIT_PROBLEMS;
  }

  const roots = sourceRoots(stringList(args, 'source'), ws, io.cwd, [dirname(file)]);
  // Lazy: only the classes the configuration uses are analyzed (tracker.ensure in the lookup).
  const { tracker, save } = await loadSourceTree('optimize', roots, storePath(stringOption(args, 'store'), ws, io), io, {
    lazy: true,
    cache: !args.values['no-cache'],
    ...indexOptions(settings),
  });

  // In a workspace the editor merges the answers of flowmage.llm.model; elsewhere the newest of any model.
  const llmModel = stringOption(args, 'model') ?? (ws.files.length ? settings.llm.model : undefined);
  const trace = readTrace(args, io);
  const analysis = await analyzeConfig(model, {
    ...analyzeOptions(settings, (name) => (tracker.ensure(name) ? elementInfo(tracker, name, llmModel) : undefined)),
    ...(trace ? { trace: trace.input } : {}),
    configPath: file,
    readFile: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  await save();
  const optimized = applyEdits(text, analysis.edits);
  // Compounds that could not be expanded leave the analysis incomplete: say where, and exit 1.
  const unexpanded = analysis.findings.filter((f) => f.code === 'expansion-budget' || f.code === 'recursive-elementclass');
  for (const f of unexpanded) io.err(`${args.positionals[0]}:${at(f.range.startOffset)}: ${f.severity}: ${f.message}\n`);
  const status = unexpanded.length ? EXIT_PROBLEMS : EXIT_OK;
  const display = (path: string) => relative(io.cwd, path) || path;

  const balance = trace ? traceReport(trace.read, trace.input.name, analysis) : undefined;
  if (args.values.json) {
    const json = toJson(args.positionals[0], analysis, lines, display);
    io.out(JSON.stringify(balance ? { ...json, trace: balance.json } : json, null, 2) + '\n');
    return status;
  }
  const summary = planSummary(analysis).join('\n') + '\n' + (balance ? balance.lines.join('\n') + '\n' : '');
  if (args.values.diff) {
    const patches = analysis.edits.length ? [createTwoFilesPatch(`a/${args.positionals[0]}`, `b/${args.positionals[0]}`, text, optimized, '', '', { context: 3 })] : [];
    for (const f of analysis.fileChanges) {
      const old = f.exists ? readFileOrEmpty(f.path) : '';
      patches.push(createTwoFilesPatch(f.exists ? `a/${display(f.path)}` : '/dev/null', `b/${display(f.path)}`, old, f.content, '', '', { context: 3 }));
    }
    io.out(patches.join(''));
    io.err(summary);
    return status;
  }
  if (args.values.write) {
    // Rules files first in the list: every file is checked before any is renamed.
    const writes: FileWrite[] = [];
    for (const f of analysis.fileChanges) writes.push({ path: f.path, data: f.content, ...(f.exists ? { expected: await readSnapshot(f.path) } : {}) });
    if (analysis.edits.length) writes.push({ path: file, data: optimized, expected: snapshot });
    if (writes.length) {
      try {
        await writeFilesAtomic(writes, { force: !!args.values.force, beforeCommit: testPause(io) });
      } catch (err) {
        throw new CliError(`optimize: ${err instanceof FileWriteError ? err.message : `cannot write ${args.positionals[0]}: ${(err as Error).message}`}`);
      }
    }
    const lines = writes.map((w) => `wrote ${display(w.path)}${w.path === file ? ` (${analysis.edits.length} change(s))` : ''}`);
    io.out(summary + (lines.length ? lines.join('\n') + '\n' : 'already optimal; nothing written\n'));
    return status;
  }
  (io.data ?? io.out)(optimized);
  io.err(summary + analysis.fileChanges.map((f) => `with ${display(f.path)} (--write writes it, --diff shows it)\n`).join(''));
  return status;
}

/**
 * Test hook: FLOWMAGE_TEST_PAUSE_BEFORE_COMMIT_MS holds the written temporary file that long
 * before the checks and the rename, so tests can change the file or send a signal in between.
 */
function testPause(io: CliIO): (() => Promise<void>) | undefined {
  const ms = Number(io.env.FLOWMAGE_TEST_PAUSE_BEFORE_COMMIT_MS);
  return ms > 0 ? () => new Promise((res) => setTimeout(res, ms)) : undefined;
}

/** --trace: the capture's flows, for the solver (the same path as flowmage.solver.trace in the editor). */
function readTrace(args: ParsedArgs, io: CliIO): { input: TraceInput; read: TraceFlows } | undefined {
  const path = stringOption(args, 'trace');
  const queuesText = stringOption(args, 'queues');
  if (path === undefined) {
    if (queuesText !== undefined) throw new CliError('optimize: --queues only applies to --trace');
    return undefined;
  }
  let queues: number | undefined;
  if (queuesText !== undefined) {
    queues = Number(queuesText);
    if (!/^\d+$/.test(queuesText) || queues < 1 || queues > 4096) throw new CliError(`optimize: --queues must be an integer from 1 to 4096, got "${queuesText}"`);
  }
  let bytes: Uint8Array;
  try {
    const full = resolve(io.cwd, path);
    if (statSync(full).size > MAX_TRACE_BYTES) throw new CliError(`optimize: the trace ${path} is larger than ${MAX_TRACE_BYTES / 1024 / 1024} MB; use a shorter capture`);
    bytes = readFileSync(full);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`optimize: cannot read the trace ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const read = captureFlows(bytes);
    return { input: { name: path, flows: read.flows, ...(queues !== undefined ? { queues } : {}) }, read };
  } catch (err) {
    if (err instanceof TraceFormatError) throw new CliError(`optimize: ${path}: ${err.message}`);
    throw err;
  }
}

/** The imbalance the solver weighed, per chain, as lines for the summary and for --json (the first chain's). */
function traceReport(read: TraceFlows, path: string, analysis: ConfigAnalysis) {
  const lines: string[] = [];
  let json: Record<string, unknown> = {
    file: path,
    packets: read.packets,
    kept: read.kept,
    flows: read.flows.length,
    skipped: read.skipped,
    warning: read.warning,
    candidates: [],
  };
  for (const c of analysis.chains) {
    const t = c.trace;
    if (!t) continue;
    const b = {
      packets: read.packets,
      kept: read.kept,
      flows: read.flows.length,
      skipped: read.skipped,
      warning: read.warning,
      queues: t.queues,
      retaSize: t.retaSize,
      loads: t.loads,
    };
    if (analysis.chains.length > 1) lines.push(`chain from ${c.chain.input.id}:`);
    lines.push(...traceBalanceLines(path, b, new Set([c.plan.rss.join(' ')])));
    if (c.plan.symmetric) lines.push(`  chosen, hashed symmetrically: ${candidateLabel(c.plan)}: ${t.chosen.imbalance.toFixed(2)}`);
    if (json.queues === undefined) {
      json = {
        ...json,
        queues: t.queues,
        retaSize: t.retaSize,
        candidates: t.loads.map((l) => ({ rss: l.fields, imbalance: l.imbalance, flowImbalance: l.flowImbalance, packets: l.packets, flows: l.flows })),
      };
    }
  }
  if (!analysis.chains.some((c) => c.trace)) lines.push(`trace ${path}: ${read.packets} packets, ${read.kept} IPv4 kept in ${read.flows.length} flows; no chain to simulate`);
  return { lines, json };
}

function readFileOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function toJson(file: string, a: ConfigAnalysis, lines: LineIndex, display: (path: string) => string): OptimizeJson {
  const column = (offset: number) => {
    const p = lines.position(offset);
    return { line: p.line + 1, column: p.character + 1 };
  };
  return {
    file,
    chains: a.chains.map((c) => ({
      input: c.chain.input.id,
      threads: c.threads,
      rss: c.plan.rss,
      ...(c.plan.symmetric ? { symmetric: c.plan.symmetric } : {}),
      ...(c.plan.imbalance !== undefined ? { imbalance: c.plan.imbalance } : {}),
      notes: c.plan.notes,
      currentRss: { fields: c.current.rss, source: c.current.source },
      elements: Object.fromEntries(c.plan.elements.map((e) => [e.name, { class: e.className, shared: e.shared, reason: e.reason, flowKey: e.flowKey }])),
      cost: c.plan.cost,
      alternatives: c.plan.alternatives.map((x) => ({
        rss: x.rss,
        ...(x.symmetric ? { symmetric: x.symmetric } : {}),
        cost: x.cost,
        ...(x.imbalance !== undefined ? { imbalance: x.imbalance } : {}),
        ...(x.rejected ? { rejected: x.rejected } : {}),
        sharedNothing: x.sharedNothing,
        verdict: x.verdict,
      })),
      conflicts: c.plan.conflicts,
      tieBreak: c.plan.tieBreak,
      deploy: { target: c.deploy.kind, reason: c.deploy.reason, ...(c.deploy.rulesFile ? { rulesFile: display(c.deploy.rulesFile) } : {}), notes: c.deploy.notes },
    })),
    files: a.fileChanges.map((f) => ({ path: display(f.path), exists: f.exists, content: f.content })),
    edits: a.edits.map((e) => ({
      range: { start: column(e.range.startOffset), end: column(e.range.endOffset) },
      newText: e.newText,
    })),
    findings: a.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, ...column(f.range.startOffset) })),
    notes: [...a.notes, ...a.editNotes],
  };
}
