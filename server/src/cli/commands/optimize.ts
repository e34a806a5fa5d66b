// `flowmage optimize`: solve every chain of a configuration and print the optimized text (default),
// a unified diff, the plan as JSON, or write the file in place.
import { promises as fs, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { analyzeConfig, type ConfigAnalysis } from '../../core/chains/analyzeConfig';
import { elementInfo } from '../../core/chains/elementLookup';
import { analyzeOptions } from '../../core/chains/options';
import { planSummary } from '../../core/chains/summary';
import { ClickDocument } from '../../core/click/clickDocument';
import { defaultSettings, type FlowMageSettings } from '../../core/settings';
import { NIC_PROFILES } from '../../core/solver/candidates';
import { REWRITE_TARGETS } from '../../core/rewrite/deployTarget';
import { applyEdits } from '../../core/text';
import { loadSourceTree } from '../sourceTree';
import { CliError, EXIT_OK, EXIT_PROBLEMS, stringList, stringOption, type CliIO, type Command, type ParsedArgs } from '../command';

export const optimizeCommand: Command = {
  name: 'optimize',
  summary: 'choose the RSS fields and per-element state sharing for each chain, and rewrite the configuration',
  usage: 'FILE.click [--source DIR ...] [--store FILE] [--nic PROFILE] [--model NAME] [--target TARGET] [--json | --diff | --write]',
  options: [
    { name: 'source', type: 'string', multiple: true, value: 'DIR', description: 'C++ element sources (default: the configuration\'s folder)' },
    { name: 'store', type: 'string', value: 'FILE', description: 'feature store to reuse and update (LLM answers stored there are merged in)' },
    { name: 'nic', type: 'string', value: 'PROFILE', description: `RSS field sets the NIC supports: ${NIC_PROFILES.filter((p) => p !== 'custom').join(', ')}` },
    { name: 'model', type: 'string', value: 'NAME', description: 'use stored LLM answers of this model (default: the newest of any model)' },
    { name: 'diff', type: 'boolean', description: 'print a unified diff instead of the configuration' },
    { name: 'write', type: 'boolean', description: 'rewrite FILE.click in place, with the flow rules files it names' },
    { name: 'target', type: 'string', value: 'TARGET', description: 'how to write the plan: auto (from what the sources read), flowmage-fork, fastclick' },
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
    currentRss: { fields: string[]; source: 'parameter' | 'default' };
    elements: Record<string, { class: string; shared: boolean | null; reason: string; flowKey: string[] }>;
    cost: number;
    alternatives: Array<{ rss: string[]; cost: number; sharedNothing: string[]; verdict: string }>;
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
  const nic = stringOption(args, 'nic') ?? 'all-subsets';
  if (!(NIC_PROFILES as readonly string[]).includes(nic) || nic === 'custom') {
    throw new CliError(`optimize: --nic must be one of ${NIC_PROFILES.filter((p) => p !== 'custom').join(', ')}, got "${nic}"`);
  }
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`optimize: cannot read ${args.positionals[0]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const model = (await ClickDocument.create(text)).model;
  const errors = model.problems.filter((p) => p.severity === 'error');
  if (errors.length) {
    for (const p of errors) io.err(`${args.positionals[0]}:${p.range.start.line + 1}:${p.range.start.character + 1}: error: ${p.message}\n`);
    return EXIT_PROBLEMS;
  }

  const roots = stringList(args, 'source').map((r) => resolve(io.cwd, r));
  if (!roots.length) roots.push(dirname(file));
  const { tracker, save } = await loadSourceTree('optimize', roots, stringOption(args, 'store'), io);
  await save();

  const settings: FlowMageSettings = { ...defaultSettings(), 'flowmage.solver.nicProfile': nic };
  const llmModel = stringOption(args, 'model');
  const target = stringOption(args, 'target');
  if (target !== undefined) {
    if (!(REWRITE_TARGETS as readonly string[]).includes(target)) throw new CliError(`optimize: --target must be one of ${REWRITE_TARGETS.join(', ')}, got "${target}"`);
    settings['flowmage.rewrite.target'] = target;
  }
  const analysis = await analyzeConfig(model, {
    ...analyzeOptions(settings, (name) => elementInfo(tracker, name, llmModel)),
    configPath: file,
    readFile: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  const optimized = applyEdits(text, analysis.edits);
  const display = (path: string) => relative(io.cwd, path) || path;

  if (args.values.json) {
    io.out(JSON.stringify(toJson(args.positionals[0], analysis, display), null, 2) + '\n');
    return EXIT_OK;
  }
  const summary = planSummary(analysis).join('\n') + '\n';
  if (args.values.diff) {
    const patches = analysis.edits.length ? [createTwoFilesPatch(`a/${args.positionals[0]}`, `b/${args.positionals[0]}`, text, optimized, '', '', { context: 3 })] : [];
    for (const f of analysis.fileChanges) {
      const old = f.exists ? (readFileOrEmpty(f.path)) : '';
      patches.push(createTwoFilesPatch(f.exists ? `a/${display(f.path)}` : '/dev/null', `b/${display(f.path)}`, old, f.content, '', '', { context: 3 }));
    }
    io.out(patches.join(''));
    io.err(summary);
    return EXIT_OK;
  }
  if (args.values.write) {
    const writes = [...analysis.fileChanges.map((f) => ({ path: f.path, content: f.content })), ...(analysis.edits.length ? [{ path: file, content: optimized }] : [])];
    await writeAll(writes, args.positionals[0]);
    const lines = writes.map((w) => `wrote ${display(w.path)}${w.path === file ? ` (${analysis.edits.length} change(s))` : ''}`);
    io.out(summary + (lines.length ? lines.join('\n') + '\n' : 'already optimal; nothing written\n'));
    return EXIT_OK;
  }
  io.out(optimized);
  io.err(summary + analysis.fileChanges.map((f) => `with ${display(f.path)} (--write writes it, --diff shows it)\n`).join(''));
  return EXIT_OK;
}

function readFileOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Writes every file through a temporary sibling, renaming only when all temporaries are written,
 * so a failure leaves every file as it was (the rules files first: a configuration naming a
 * missing rules file would not start).
 */
async function writeAll(writes: Array<{ path: string; content: string }>, shown: string): Promise<void> {
  const temps = writes.map((w) => `${w.path}.flowmage-${process.pid}.tmp`);
  try {
    for (let i = 0; i < writes.length; i++) await fs.writeFile(temps[i], writes[i].content);
    for (let i = 0; i < writes.length; i++) await fs.rename(temps[i], writes[i].path);
  } catch (err) {
    await Promise.all(temps.map((t) => fs.rm(t, { force: true })));
    throw new CliError(`optimize: cannot write ${shown}: ${(err as Error).message}`);
  }
}

function toJson(file: string, a: ConfigAnalysis, display: (path: string) => string): OptimizeJson {
  return {
    file,
    chains: a.chains.map((c) => ({
      input: c.chain.input.id,
      threads: c.threads,
      rss: c.plan.rss,
      currentRss: { fields: c.current.rss, source: c.current.source },
      elements: Object.fromEntries(c.plan.elements.map((e) => [e.name, { class: e.className, shared: e.shared, reason: e.reason, flowKey: e.flowKey }])),
      cost: c.plan.cost,
      alternatives: c.plan.alternatives.map((x) => ({ rss: x.rss, cost: x.cost, sharedNothing: x.sharedNothing, verdict: x.verdict })),
      conflicts: c.plan.conflicts,
      tieBreak: c.plan.tieBreak,
      deploy: { target: c.deploy.kind, reason: c.deploy.reason, ...(c.deploy.rulesFile ? { rulesFile: display(c.deploy.rulesFile) } : {}), notes: c.deploy.notes },
    })),
    files: a.fileChanges.map((f) => ({ path: display(f.path), exists: f.exists, content: f.content })),
    edits: a.edits.map((e) => ({
      range: { start: { line: e.range.start.line + 1, column: e.range.start.character + 1 }, end: { line: e.range.end.line + 1, column: e.range.end.character + 1 } },
      newText: e.newText,
    })),
    findings: a.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, line: f.range.start.line + 1, column: f.range.start.character + 1 })),
    notes: [...a.notes, ...a.editNotes],
  };
}
