// `flowmage analyze`: index the C++ elements under the source roots and print their features.
import { isAbsolute, relative, sep } from 'node:path';
import type { AnalyzeStats, FeatureTracker, TrackedElement } from '../../core/analysis/featureTracker';
import { loadSourceTree } from '../sourceTree';
import { formatKey, type ElementFeatures } from '../../core/analysis/features';
import type { ThreadingModel } from '../../core/analysis/threading';
import { CliError, EXIT_OK, EXIT_PROBLEMS, intOption, stringList, stringOption, type CliIO, type Command, type ParsedArgs } from '../command';
import { currentLlmAnswer, mergedFeatures } from '../../core/chains/elementLookup';
import { describeEndpoint } from '../../core/llm/endpoint';
import { isLocalEndpoint, LlmClient } from '../../core/llm/client';
import { LlmAnalyzer } from '../../core/llm/llmAnalyzer';
import { indexOptions, llmSettings } from '../../config/coreOptions';
import type { LlmSettings } from '../../core/llm/types';
import { createLogger } from '../../core/log';
import { SETTINGS_SCHEMA, type Settings } from '../../core/settings';
import { commandSettings, sourceRoots, storePath as workspaceStorePath, workspaceOption } from '../settingsOption';
import type { ParameterList } from '../../core/cpp/parameters';
import { dict } from '../../core/dict';

export interface AnalyzeJsonElement {
  stateful: boolean;
  flowKey: ElementFeatures['flowKey'];
  otherKeyFields: NonNullable<ElementFeatures['otherKeyFields']>;
  intensity: ElementFeatures['intensity'];
  pointerChasing: boolean;
  bidirectional: boolean;
  /** Input port → direction its packets carry, where the code tells it; null when it does not. */
  directionPorts: NonNullable<ElementFeatures['directionPorts']> | null;
  fragments: boolean;
  stateObjects: ElementFeatures['stateObjects'];
  evidence: ElementFeatures['evidence'];
  confidence: ElementFeatures['confidence'];
  /** How the element's state behaves under several threads, with the lines that decided it. */
  threading: { model: ThreadingModel; evidence: Array<{ file: string; line: number; reason: string }> } | null;
  files: string[];
  provenance: 'static';
  /** The keyword arguments its configure() accepts (core/cpp/parameters.ts). */
  parameters?: ParameterList;
}

export interface AnalyzeJson {
  elements: Record<string, AnalyzeJsonElement>;
  stats: { files: number; elements: number; ms: number };
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'find the FastClick elements under the source roots and print their flow-state features',
  usage: '[--workspace DIR] [--source DIR ...] [--element NAME ...] [--json] [--store FILE [--prune]] [--llm [--base-url URL] [--model NAME] [--samples N]]',
  options: [
    workspaceOption('the current directory'),
    {
      name: 'source',
      type: 'string',
      multiple: true,
      value: 'DIR',
      description: 'a directory (or file) of C++ element sources, e.g. a FastClick checkout (default: flowmage.sourcePaths, else the workspace folder)',
    },
    { name: 'element', type: 'string', multiple: true, value: 'NAME', description: 'only this element (its Click name)' },
    {
      name: 'store',
      type: 'string',
      value: 'FILE',
      description: 'feature store to reuse and update, e.g. .flowmage/features.json (default: flowmage.store.path in a workspace with settings files)',
    },
    { name: 'no-cache', type: 'boolean', description: 'do not read or write the persistent index in .flowmage/index/ (every C++ file is parsed again)' },
    { name: 'prune', type: 'boolean', description: 'drop stored elements not found under these --source roots, with their LLM answers (kept otherwise)' },
    { name: 'llm', type: 'boolean', description: 'also ask an OpenAI-compatible LLM (key from OPENAI_API_KEY) and merge its answers' },
    {
      name: 'base-url',
      type: 'string',
      value: 'URL',
      description: 'LLM endpoint (default: flowmage.llm.baseUrl if set, else $OPENAI_BASE_URL if set, else OpenAI); local endpoints need no key',
    },
    { name: 'model', type: 'string', value: 'NAME', description: `LLM model (default: flowmage.llm.model, ${SETTINGS_SCHEMA.properties.llm.properties.model.default})` },
    {
      name: 'samples',
      type: 'string',
      value: 'N',
      description: `answers per element, majority vote per feature (default: flowmage.llm.samples, ${SETTINGS_SCHEMA.properties.llm.properties.samples.default})`,
    },
  ],
  positionals: { min: 0, max: 0, names: 'no positional arguments' },
  run: runAnalyze,
};

async function runAnalyze(args: ParsedArgs, io: CliIO): Promise<number> {
  const t0 = Date.now();
  const ws = commandSettings('analyze', args, io, io.cwd, {});
  const roots = sourceRoots(stringList(args, 'source'), ws, io.cwd, []);
  if (!roots.length) throw new CliError('analyze: give at least one --source DIR (or run it in a workspace with settings files); see flowmage analyze --help');
  const wanted = stringList(args, 'element');
  const storePath = workspaceStorePath(stringOption(args, 'store'), ws, io);
  if (args.values.prune && !storePath) throw new CliError('analyze: --prune needs --store FILE');
  if (args.values.prune && wanted.length) throw new CliError('analyze: --prune cannot be combined with --element (it would drop every other element)');
  const { tracker, store, built, stats, save, saveSoon, dispose } = await loadSourceTree('analyze', roots, storePath, io, {
    only: wanted,
    cache: !args.values['no-cache'],
    maxFileBytes: indexOptions(ws.settings).maxFileBytes,
  });
  let code = EXIT_OK;
  try {
    if (args.values.prune) {
      const dropped = store.prune(tracker.all().map((t) => t.info.clickName));
      io.err(`flowmage: pruned ${dropped.length} element(s) not under the sources from the store${dropped.length ? `: ${dropped.join(', ')}` : ''}\n`);
    }
    const llm = args.values.llm ? await runLlm(args, io, ws.settings, tracker, wanted, saveSoon) : undefined;
    if (llm?.failed) code = EXIT_PROBLEMS;
    await save();
    return report(args, io, tracker, built, stats, t0, roots, wanted, llm, code);
  } finally {
    dispose();
  }
}

/** Prints the elements (table or JSON) and returns the exit code. */
function report(
  args: ParsedArgs,
  io: CliIO,
  tracker: FeatureTracker,
  built: { files: number },
  stats: AnalyzeStats,
  t0: number,
  roots: string[],
  wanted: string[],
  llm: LlmRun | undefined,
  code: number,
): number {
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
    for (const t of elements) out.elements[t.info.clickName] = { ...jsonElement(tracker, t, io.cwd), ...(llm ? llmJson(tracker, t.info.clickName, llm.model) : {}) };
    io.out(JSON.stringify(out, null, 2) + '\n');
  } else {
    io.out(table(elements));
    io.out(`\n${elements.length} element(s) in ${built.files} file(s), ${ms} ms (${stats.analyzed} analyzed, ${stats.reused} unchanged since the store)\n`);
  }
  return code;
}

function jsonElement(tracker: FeatureTracker, t: TrackedElement, cwd: string): AnalyzeJsonElement {
  const f = t.features;
  return {
    stateful: f.stateful,
    flowKey: f.flowKey,
    otherKeyFields: f.otherKeyFields ?? [],
    intensity: f.intensity,
    pointerChasing: f.pointerChasing,
    bidirectional: !!f.bidirectional,
    directionPorts: f.directionPorts ?? null,
    fragments: !!f.fragments,
    stateObjects: f.stateObjects.map((o) => ({ ...o, file: display(o.file, cwd) })),
    evidence: f.evidence.map((e) => ({ ...e, file: display(e.file, cwd) })),
    confidence: f.confidence,
    threading: t.threading ? { model: t.threading.model, evidence: t.threading.evidence.map((e) => ({ ...e, file: display(e.file, cwd), line: e.line + 1 })) } : null,
    files: t.files.map((x) => display(x, cwd)),
    provenance: 'static',
    parameters: parametersJson(tracker.index.parameters(t.info.clickName), cwd),
  };
}

function parametersJson(list: ParameterList | undefined, cwd: string): ParameterList | undefined {
  return list && { ...list, parameters: list.parameters.map((p) => ({ ...p, file: display(p.file, cwd) })) };
}

function table(elements: TrackedElement[]): string {
  const rows = [['ELEMENT', 'STATE', 'KEY', 'INTENSITY', 'POINTERS', 'CONFIDENCE', 'UNDECIDED']];
  for (const t of elements) {
    const f = t.features;
    rows.push([
      t.info.clickName,
      f.stateful ? 'stateful' : 'stateless',
      f.stateful ? keyCell(f) : '-',
      f.intensity ?? '-',
      f.stateful ? (f.pointerChasing ? 'yes' : 'no') : '-',
      f.confidence,
      f.unknown.join(',') || '-',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

function keyCell(f: ElementFeatures): string {
  const parts = [...(f.flowKey.length ? [formatKey(f.flowKey)] : []), ...(f.otherKeyFields ?? []).map((x) => `+${x}`)];
  return parts.join(' ') || '?';
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
async function runLlm(args: ParsedArgs, io: CliIO, workspace: Settings, tracker: FeatureTracker, wanted: string[], saveSoon: () => void): Promise<LlmRun> {
  const { minimum, maximum } = SETTINGS_SCHEMA.properties.llm.properties.samples;
  const samples = intOption(args, 'samples', minimum, maximum) ?? workspace.llm.samples;
  // The CLI honours OPENAI_BASE_URL like other OpenAI tools, and says so: never a silent redirect.
  const flag = stringOption(args, 'base-url');
  const fromSettings = flag === undefined && !!workspace.llm.baseUrl.trim();
  const given = flag ?? (fromSettings ? workspace.llm.baseUrl.trim() : undefined);
  const fromEnv = given === undefined && !!io.env.OPENAI_BASE_URL?.trim();
  const baseUrl = given ?? (fromEnv ? io.env.OPENAI_BASE_URL!.trim() : '');
  const endpoint = describeEndpoint(baseUrl);
  const origin = fromEnv ? 'OPENAI_BASE_URL' : fromSettings ? 'flowmage.llm.baseUrl' : '--base-url';
  if (!endpoint) throw new CliError(`analyze --llm: ${origin} "${baseUrl}" is not an http(s) URL`);
  const settings: LlmSettings = {
    ...llmSettings(workspace),
    enabled: true,
    baseUrl,
    model: stringOption(args, 'model') ?? workspace.llm.model.trim(),
    samples,
  };
  const key = io.env.OPENAI_API_KEY || undefined;
  // As the editor asks before using an endpoint from workspace settings, the CLI wants it confirmed:
  // a cloned repository's settings must not receive the API key.
  if (fromSettings && key && !isLocalEndpoint(baseUrl)) {
    throw new CliError(`analyze --llm: the workspace settings set flowmage.llm.baseUrl to ${endpoint.host}; to send your OPENAI_API_KEY there, confirm with --base-url ${baseUrl}`);
  }
  if (!key && !(settings.baseUrl && isLocalEndpoint(settings.baseUrl))) {
    throw new CliError('analyze --llm: set OPENAI_API_KEY (or use --base-url with a local endpoint that needs no key)');
  }
  const log = createLogger(
    (level, message) => io.err(`flowmage: ${level === 'info' ? '' : `${level}: `}${message}\n`),
    () => 'warn',
  );
  const analyzer = new LlmAnalyzer(
    () => tracker,
    new LlmClient(
      () => settings,
      () => key,
      log,
    ),
    () => settings,
    log,
  );
  const names = analyzer.missing(wanted.length ? wanted : undefined);
  if (names.length) {
    const source = given !== undefined || fromEnv ? ` (from ${origin})` : '';
    io.err(`flowmage: asking ${settings.model} at ${endpoint.host}${source} about ${names.length} element(s)
`);
  }
  const result = await analyzer.extractMany(names, {
    onProgress: (done, total, name) => {
      io.err(`flowmage: [${done}/${total}] ${name}
`);
      saveSoon(); // each answer cost an API call: keep it even if the run is interrupted
    },
  });
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
