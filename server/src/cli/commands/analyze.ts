// `flowmage analyze`: index the C++ elements under the source roots and print their features.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FeatureTracker, TrackedElement } from '../../core/analysis/featureTracker';
import { loadSourceTree } from '../sourceTree';
import { formatKey, type ElementFeatures } from '../../core/analysis/features';
import { CliError, EXIT_OK, EXIT_PROBLEMS, intOption, stringList, stringOption, type CliIO, type Command, type ParsedArgs } from '../command';
import { currentLlmAnswer, mergedFeatures } from '../../core/chains/elementLookup';
import { isLocalEndpoint, LlmClient } from '../../core/llm/client';
import { LlmAnalyzer, llmSettings } from '../../core/llm/llmAnalyzer';
import type { LlmSettings } from '../../core/llm/types';
import { createLogger } from '../../core/log';
import { defaultSettings } from '../../core/settings';
import { dict } from '../../core/dict';

export interface AnalyzeJsonElement {
  stateful: boolean;
  flowKey: ElementFeatures['flowKey'];
  intensity: ElementFeatures['intensity'];
  pointerChasing: boolean;
  stateObjects: ElementFeatures['stateObjects'];
  evidence: ElementFeatures['evidence'];
  confidence: ElementFeatures['confidence'];
  files: string[];
  provenance: 'static';
}

export interface AnalyzeJson {
  elements: Record<string, AnalyzeJsonElement>;
  stats: { files: number; elements: number; ms: number };
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'find the FastClick elements under the source roots and print their flow-state features',
  usage: '--source DIR [--source DIR ...] [--element NAME ...] [--json] [--store FILE] [--llm [--base-url URL] [--model NAME] [--samples N]]',
  options: [
    { name: 'source', type: 'string', multiple: true, value: 'DIR', description: 'a directory (or file) of C++ element sources, e.g. a FastClick checkout' },
    { name: 'element', type: 'string', multiple: true, value: 'NAME', description: 'only this element (its Click name)' },
    { name: 'store', type: 'string', value: 'FILE', description: 'feature store to reuse and update (e.g. .flowmage/features.json)' },
    { name: 'llm', type: 'boolean', description: 'also ask an OpenAI-compatible LLM (key from OPENAI_API_KEY) and merge its answers' },
    { name: 'base-url', type: 'string', value: 'URL', description: 'LLM endpoint (default: OpenAI); local endpoints need no key' },
    { name: 'model', type: 'string', value: 'NAME', description: 'LLM model (default gpt-4o)' },
    { name: 'samples', type: 'string', value: 'N', description: 'answers per element, majority vote per feature (default 1)' },
  ],
  positionals: { min: 0, max: 0, names: 'no positional arguments' },
  run: runAnalyze,
};

async function runAnalyze(args: ParsedArgs, io: CliIO): Promise<number> {
  const t0 = Date.now();
  const roots = stringList(args, 'source').map((r) => resolve(io.cwd, r));
  if (!roots.length) throw new CliError('analyze: give at least one --source DIR; see flowmage analyze --help');
  const wanted = stringList(args, 'element');
  const storePath = stringOption(args, 'store');
  const { tracker, built, stats, save } = await loadSourceTree('analyze', roots, storePath, io, wanted);
  let code = EXIT_OK;
  const llm = args.values.llm ? await runLlm(args, io, tracker, wanted) : undefined;
  if (llm?.failed) code = EXIT_PROBLEMS;
  await save();

  const found = new Set(tracker.all().map((t) => t.info.clickName));
  for (const w of wanted) {
    if (!found.has(w)) {
      io.err(`flowmage: no element named ${w} under ${roots.map((r) => display(r, io.cwd)).join(', ')}\n`);
      code = EXIT_PROBLEMS;
    }
  }
  if (!wanted.length && found.size === 0) {
    io.err(`flowmage: no elements found under ${roots.map((r) => display(r, io.cwd)).join(', ')} (an element is a class whose class_name() returns its name)\n`);
    code = EXIT_PROBLEMS;
  }
  const elements = tracker.all().filter((t) => !wanted.length || wanted.includes(t.info.clickName));
  for (const t of elements) {
    if (t.error) {
      io.err(`flowmage: analysis of ${t.info.clickName} failed: ${t.error}\n`);
      code = EXIT_PROBLEMS;
    }
  }
  const ms = Date.now() - t0;
  if (args.values.json) {
    const out: AnalyzeJson = { elements: dict(), stats: { files: built.files, elements: elements.length, ms } };
    for (const t of elements) out.elements[t.info.clickName] = { ...jsonElement(t, io.cwd), ...(llm ? llmJson(tracker, t.info.clickName, llm.model) : {}) };
    io.out(JSON.stringify(out, null, 2) + '\n');
  } else {
    io.out(table(elements));
    io.out(`\n${elements.length} element(s) in ${built.files} file(s), ${ms} ms (${stats.analyzed} analyzed, ${stats.reused} unchanged since the store)\n`);
  }
  return code;
}

function jsonElement(t: TrackedElement, cwd: string): AnalyzeJsonElement {
  const f = t.features;
  return {
    stateful: f.stateful,
    flowKey: f.flowKey,
    intensity: f.intensity,
    pointerChasing: f.pointerChasing,
    stateObjects: f.stateObjects.map((o) => ({ ...o, file: display(o.file, cwd) })),
    evidence: f.evidence.map((e) => ({ ...e, file: display(e.file, cwd) })),
    confidence: f.confidence,
    files: t.files.map((x) => display(x, cwd)),
    provenance: 'static',
  };
}

function table(elements: TrackedElement[]): string {
  const rows = [['ELEMENT', 'STATE', 'KEY', 'INTENSITY', 'POINTERS', 'CONFIDENCE', 'UNDECIDED']];
  for (const t of elements) {
    const f = t.features;
    rows.push([
      t.info.clickName,
      f.stateful ? 'stateful' : 'stateless',
      f.stateful ? (f.flowKey.length ? formatKey(f.flowKey) : '?') : '-',
      f.intensity ?? '-',
      f.stateful ? (f.pointerChasing ? 'yes' : 'no') : '-',
      f.confidence,
      f.unknown.join(',') || '-',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

/** A path relative to the working directory when it is inside it, with `/` separators. */
function display(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return file;
  return rel.split(sep).join('/');
}

interface LlmRun {
  model: string;
  failed: number;
}

/** Asks the LLM about the analyzed elements that have no current answer in the store. */
async function runLlm(args: ParsedArgs, io: CliIO, tracker: FeatureTracker, wanted: string[]): Promise<LlmRun> {
  const samples = intOption(args, 'samples', 1, 9) ?? 1;
  const settings: LlmSettings = {
    ...llmSettings(defaultSettings()),
    enabled: true,
    baseUrl: stringOption(args, 'base-url') ?? io.env.OPENAI_BASE_URL ?? '',
    model: stringOption(args, 'model') ?? 'gpt-4o',
    samples,
  };
  const key = io.env.OPENAI_API_KEY || undefined;
  if (!key && !(settings.baseUrl && isLocalEndpoint(settings.baseUrl))) {
    throw new CliError('analyze --llm: set OPENAI_API_KEY (or use --base-url with a local endpoint that needs no key)');
  }
  const log = createLogger((level, message) => io.err(`flowmage: ${level === 'info' ? '' : `${level}: `}${message}\n`), () => 'warn');
  const analyzer = new LlmAnalyzer(() => tracker, new LlmClient(() => settings, () => key, log), () => settings, log);
  const names = analyzer.missing(wanted.length ? wanted : undefined);
  if (names.length) io.err(`flowmage: asking ${settings.model} about ${names.length} element(s)\n`);
  const result = await analyzer.extractMany(names, { onProgress: (done, total, name) => io.err(`flowmage: [${done}/${total}] ${name}\n`) });
  for (const f of result.failed) io.err(`flowmage: LLM analysis of ${f.name} failed: ${f.error}\n`);
  for (const s of result.skipped) io.err(`flowmage: skipped ${s}\n`);
  return { model: settings.model, failed: result.failed.length };
}

function llmJson(tracker: FeatureTracker, name: string, model: string) {
  const answer = currentLlmAnswer(tracker, name, model);
  const merged = mergedFeatures(tracker, name, model);
  return {
    llm: answer ? { ...answer.answer, model: answer.model, votes: answer.record.votes ?? null } : null,
    merged: merged ?? null,
    tokens: answer ? { prompt: answer.record.promptTokens ?? 0, completion: answer.record.completionTokens ?? 0 } : null,
  };
}
