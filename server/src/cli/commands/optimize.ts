// `flowmage optimize`: solve every chain of a configuration and print the optimized text (default),
// a unified diff, the plan as JSON, or write the file in place.
import { promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { analyzeConfig, type ConfigAnalysis } from '../../core/chains/analyzeConfig';
import { elementInfo } from '../../core/chains/elementLookup';
import { analyzeOptions } from '../../core/chains/options';
import { planSummary } from '../../core/chains/summary';
import { ClickDocument } from '../../core/click/clickDocument';
import { defaultSettings, type FlowMageSettings } from '../../core/settings';
import { NIC_PROFILES } from '../../core/solver/candidates';
import { applyEdits } from '../../core/text';
import { loadSourceTree } from '../sourceTree';
import { CliError, EXIT_OK, EXIT_PROBLEMS, stringList, stringOption, type CliIO, type Command, type ParsedArgs } from '../command';

export const optimizeCommand: Command = {
  name: 'optimize',
  summary: 'choose the RSS fields and per-element state sharing for each chain, and rewrite the configuration',
  usage: 'FILE.click [--source DIR ...] [--store FILE] [--nic PROFILE] [--model NAME] [--json | --diff | --write]',
  options: [
    { name: 'source', type: 'string', multiple: true, value: 'DIR', description: 'C++ element sources (default: the configuration\'s folder)' },
    { name: 'store', type: 'string', value: 'FILE', description: 'feature store to reuse and update (LLM answers stored there are merged in)' },
    { name: 'nic', type: 'string', value: 'PROFILE', description: `RSS field sets the NIC supports: ${NIC_PROFILES.filter((p) => p !== 'custom').join(', ')}` },
    { name: 'model', type: 'string', value: 'NAME', description: 'use stored LLM answers of this model (default: the newest of any model)' },
    { name: 'diff', type: 'boolean', description: 'print a unified diff instead of the configuration' },
    { name: 'write', type: 'boolean', description: 'rewrite FILE.click in place' },
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
  }>;
  edits: Array<{ range: { start: { line: number; column: number }; end: { line: number; column: number } }; newText: string }>;
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
  const analysis = await analyzeConfig(model, analyzeOptions(settings, (name) => elementInfo(tracker, name, llmModel)));
  const optimized = applyEdits(text, analysis.edits);

  if (args.values.json) {
    io.out(JSON.stringify(toJson(args.positionals[0], analysis), null, 2) + '\n');
    return EXIT_OK;
  }
  const summary = planSummary(analysis).join('\n') + '\n';
  if (args.values.diff) {
    io.out(analysis.edits.length ? createTwoFilesPatch(`a/${args.positionals[0]}`, `b/${args.positionals[0]}`, text, optimized, '', '', { context: 3 }) : '');
    io.err(summary);
    return EXIT_OK;
  }
  if (args.values.write) {
    if (analysis.edits.length) {
      const tmp = `${file}.flowmage-${process.pid}.tmp`;
      try {
        await fs.writeFile(tmp, optimized);
        await fs.rename(tmp, file);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        throw new CliError(`optimize: cannot write ${args.positionals[0]}: ${(err as Error).message}`);
      }
    }
    io.out(summary + (analysis.edits.length ? `wrote ${analysis.edits.length} change(s) to ${args.positionals[0]}\n` : 'already optimal; nothing written\n'));
    return EXIT_OK;
  }
  (io.data ?? io.out)(optimized);
  io.err(summary);
  return EXIT_OK;
}

function toJson(file: string, a: ConfigAnalysis): OptimizeJson {
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
    })),
    edits: a.edits.map((e) => ({
      range: { start: { line: e.range.start.line + 1, column: e.range.start.character + 1 }, end: { line: e.range.end.line + 1, column: e.range.end.character + 1 } },
      newText: e.newText,
    })),
    findings: a.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, line: f.range.start.line + 1, column: f.range.start.character + 1 })),
    notes: [...a.notes, ...a.editNotes],
  };
}
