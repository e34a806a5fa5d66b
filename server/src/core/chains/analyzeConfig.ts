// The whole judgement on one configuration: its chains, what each element keeps and under which
// key, how it runs under the configuration as written, the solver's plan, findings for the editor
// and the edits that apply the plan. Plain data in, plain data out; LSP and CLI adapt it.
import { FLOW_FIELDS, formatKey, type FlowField } from '../analysis/features';
import type { ClickArg, ClickElement, ConfigModel } from '../click/model';
import type { MergedFeatures } from '../llm/merge';
import { keywordEdit } from '../rewrite/keywordEdit';
import { candidateFieldSets, DEFAULT_RSS, isSubset, parseFieldList, type NicProfile } from '../solver/candidates';
import type { CostWeights } from '../solver/cost';
import { rankByComparison, solve, staticRanking, tiedElements, evaluate, type ComplexityRanking } from '../solver/solve';
import type { Plan, SolverElement } from '../solver/types';
import { LineIndex, type SourceRange, type TextEdit } from '../text';
import { keywordArg, parseClickBool, resolveArgValue } from './args';
import { flattenConfig, type Chain, type FlattenProblem, type InstanceNode } from './findChains';

export interface ElementInfo {
  className: string;
  /** Merged features, or null when the class is known but unanalyzable. */
  features: MergedFeatures | null;
  workEstimate?: number;
  /** Where the class is defined, for links. */
  file?: string;
  line?: number;
}

export interface AnalyzeOptions {
  lookup: (className: string) => ElementInfo | undefined;
  nicProfile: NicProfile;
  customFieldSets: string[][];
  weights: CostWeights;
  rssParameter: string;
  sharedParameter: string;
  /** Which of two classes needs more processing per packet (the LLM's CCE), or null if it cannot say. */
  compareComplexity?: (a: string, b: string) => Promise<string | null>;
}

export interface ElementStatus {
  instance: InstanceNode;
  info: ElementInfo | undefined;
  stateful: boolean;
  flowKey: FlowField[];
  /** SHARED as written (true when absent: FlowMage's elements default to sharing). */
  currentShared: boolean | null;
  currentSharedArg?: ClickArg;
  /** Whether the current RSS fields lie inside the key (shared-nothing would be safe now). */
  safeSharedNothingNow: boolean;
  /** The plan's decision: true shared, false shared-nothing, null no SHARED parameter. */
  planShared: boolean | null;
  reason: string;
}

export interface ChainAnalysis {
  chain: Chain;
  threads: number | null;
  current: { rss: FlowField[]; source: 'parameter' | 'default'; arg?: ClickArg; unknownFields: string[] };
  /** The solver's cost of the chain as configured (every stateful element whose key does not hold the RSS fields shares). */
  currentCost: number;
  plan: Plan;
  elements: ElementStatus[];
}

export type FindingCode =
  | 'disjoint-keys'
  | 'better-plan'
  | 'unsafe-shared-nothing'
  | 'unknown-class'
  | 'features-disagree'
  | 'chain-note'
  | 'recursive-elementclass'
  | 'expansion-budget';

export interface Finding {
  code: FindingCode;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  range: SourceRange;
  related: Array<{ range: SourceRange; message: string }>;
  /** Whether applying the plan's edits resolves it. */
  fixedByPlan: boolean;
}

export interface ConfigAnalysis {
  chains: ChainAnalysis[];
  findings: Finding[];
  edits: TextEdit[];
  /** Explanations of the edits and of anything the rewrite had to settle (shared classes, several chains). */
  editNotes: string[];
  notes: string[];
}

const STATEFUL_LOOKING = /(Flow|Counter|Policer|NAT|Nat|Balancer|Tracker|Detector|Limiter|State|Table|Firewall|Scan|Session|Monitor|Meter|Conn)/;

export async function analyzeConfig(model: ConfigModel, givenOptions: AnalyzeOptions): Promise<ConfigAnalysis> {
  // One lookup per class per analysis: a large configuration repeats a few classes many times.
  const known = new Map<string, ElementInfo | undefined>();
  const options: AnalyzeOptions = {
    ...givenOptions,
    lookup: (name) => {
      if (!known.has(name)) known.set(name, givenOptions.lookup(name));
      return known.get(name);
    },
  };
  const index = new LineIndex(model.text);
  const defines = new Map(model.defines.map((d) => [d.name, d.value]));
  const flat = flattenConfig(model);
  const notes = [...flat.notes];
  const candidateProblems: string[] = [];
  const candidates = candidateFieldSets(options.nicProfile, options.customFieldSets, candidateProblems);
  notes.push(...candidateProblems);

  const chains: ChainAnalysis[] = [];
  for (const chain of flat.chains) {
    const elements = chain.elements.slice(1);
    const solverElements: SolverElement[] = elements.map((inst) => {
      const info = options.lookup(inst.className);
      return { name: inst.id, className: inst.className, features: info?.features ?? null, workEstimate: info?.workEstimate };
    });
    const ranking = await tieBreakRanking(solverElements, candidates, options);
    const plan = solve(solverElements, { candidates, weights: options.weights, ranking, notes: candidateProblems });
    const current = currentRss(chain.input, options.rssParameter, defines);
    const statuses = elements.map((inst, i): ElementStatus => {
      const info = options.lookup(inst.className);
      const f = solverElements[i].features;
      const sharedArg = keywordArg(inst.decl, options.sharedParameter);
      const written = sharedArg ? parseClickBool(resolveArgValue(sharedArg.value, inst.bindings, defines)) : undefined;
      const decision = plan.elements[i];
      return {
        instance: inst,
        info,
        stateful: !!f?.stateful,
        flowKey: f?.flowKey ?? [],
        currentShared: f?.stateful ? (written ?? true) : null,
        currentSharedArg: sharedArg,
        safeSharedNothingNow: !!f?.stateful && isSubset(current.rss, f.flowKey),
        planShared: decision.shared,
        reason: decision.reason,
      };
    });
    const currentCost = evaluate(solverElements, [current.rss], options.weights)[0].cost;
    chains.push({ chain, threads: threadsOf(chain.input, defines), current, currentCost, plan, elements: statuses });
  }

  const { edits, editNotes } = planEdits(index, chains, options, defines);
  const findings = [...flattenFindings(model, flat.problems), ...collectFindings(model, chains, options)];
  return { chains, findings, edits, editNotes, notes };
}

async function tieBreakRanking(elements: SolverElement[], candidates: FlowField[][], options: AnalyzeOptions): Promise<ComplexityRanking | undefined> {
  const tied = tiedElements(evaluate(elements, candidates, options.weights));
  if (tied.length < 2) return undefined;
  const fallback = staticRanking(elements, tied);
  if (!options.compareComplexity) return fallback;
  const classOf = new Map(elements.map((e) => [e.name, e.className]));
  const result = await rankByComparison(
    tied,
    async (a, b) => {
      const heavier = await options.compareComplexity!(classOf.get(a)!, classOf.get(b)!);
      return heavier === classOf.get(a) ? a : heavier === classOf.get(b) ? b : null;
    },
    fallback,
  );
  if (result.unanswered === result.asked) return fallback;
  return {
    method: 'llm',
    order: result.order,
    detail: `LLM code-complexity comparison (${result.asked} comparison(s)${result.unanswered ? `, ${result.unanswered} unanswered and ordered by the static estimate` : ''})`,
  };
}

function currentRss(input: InstanceNode, rssParameter: string, defines: Map<string, string>): ChainAnalysis['current'] {
  const arg = keywordArg(input.decl, rssParameter);
  if (!arg) return { rss: [...DEFAULT_RSS], source: 'default', unknownFields: [] };
  const { fields, unknown } = parseFieldList(resolveArgValue(arg.value, input.bindings, defines));
  return { rss: fields.length ? fields : [...DEFAULT_RSS], source: 'parameter', arg, unknownFields: unknown };
}

function threadsOf(input: InstanceNode, defines: Map<string, string>): number | null {
  for (const kw of ['MAXTHREADS', 'N_QUEUES']) {
    const arg = keywordArg(input.decl, kw);
    if (!arg) continue;
    const n = Number(resolveArgValue(arg.value, input.bindings, defines));
    if (Number.isInteger(n) && n > 0) return n;
  }
  return null;
}

export function rssValue(fields: FlowField[]): string {
  return `"${fields.join(' ')}"`;
}

function planEdits(index: LineIndex, chains: ChainAnalysis[], options: AnalyzeOptions, defines: Map<string, string>): { edits: TextEdit[]; editNotes: string[] } {
  const editNotes: string[] = [];
  const edits: TextEdit[] = [];
  const push = (e: TextEdit | null) => {
    if (e) edits.push(e);
  };

  // One RSS value per input declaration (a compound used twice could hold one device for two chains).
  const rssByDecl = new Map<ClickElement, { fields: FlowField[]; inputs: string[] }>();
  for (const c of chains) {
    const cur = rssByDecl.get(c.chain.input.decl);
    if (cur && cur.fields.join() !== c.plan.rss.join()) {
      editNotes.push(`${c.chain.input.id} and ${cur.inputs.join(', ')} share one declaration but their plans differ (${formatKey(c.plan.rss)} vs ${formatKey(cur.fields)}); keeping the first`);
      continue;
    }
    rssByDecl.set(c.chain.input.decl, { fields: c.plan.rss, inputs: [...(cur?.inputs ?? []), c.chain.input.id] });
  }
  for (const [decl, { fields, inputs }] of rssByDecl) {
    const written = keywordArg(decl, options.rssParameter);
    // Already hashing exactly these fields (however written, `$variable` included): leave it alone.
    if (written && parseFieldList(resolveArgValue(written.value, new Map(), defines)).fields.join() === fields.join()) continue;
    push(keywordEdit(index, decl, options.rssParameter, rssValue(fields)));
    editNotes.push(`${inputs.join(', ')}: ${options.rssParameter} ${rssValue(fields)}`);
  }

  // One SHARED value per declaration. Sharing is always correct, shared-nothing only when every
  // instance of the declaration in every chain allows it.
  const byDecl = new Map<ClickElement, { shared: boolean; votes: Array<{ id: string; chain: string; shared: boolean }> }>();
  for (const c of chains) {
    for (const s of c.elements) {
      if (s.planShared === null) continue;
      const cur = byDecl.get(s.instance.decl) ?? { shared: false, votes: [] };
      cur.votes.push({ id: s.instance.id, chain: c.chain.input.id, shared: s.planShared });
      cur.shared = cur.shared || s.planShared;
      byDecl.set(s.instance.decl, cur);
    }
  }
  for (const [decl, { shared, votes }] of byDecl) {
    const differing = new Set(votes.map((v) => v.shared)).size > 1;
    if (differing) {
      const where = decl.scope ? `the body of elementclass ${decl.scope}` : 'one declaration';
      editNotes.push(
        `${decl.name} (${decl.className}) is used as ${votes.map((v) => `${v.id} in the chain from ${v.chain} (${v.shared ? 'shared' : 'shared-nothing'})`).join(', ')}; ` +
          `${where} can hold only one value, so it stays shared (always correct, slower)`,
      );
    }
    push(keywordEdit(index, decl, options.sharedParameter, shared ? 'true' : 'false'));
  }
  return { edits: dedupe(edits), editNotes };
}

function dedupe(edits: TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const k = `${e.range.startOffset}:${e.range.endOffset}:${e.newText}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** What flattening refused to expand; a recursion the parser already reported there is not said twice. */
function flattenFindings(model: ConfigModel, problems: FlattenProblem[]): Finding[] {
  const parsed = new Set(model.problems.filter((p) => p.code === 'recursive-elementclass').map((p) => p.range.startOffset));
  return problems
    .filter((p) => !(p.code === 'recursive-elementclass' && parsed.has(p.range.startOffset)))
    .map((p) => ({ code: p.code, severity: p.code === 'expansion-budget' ? 'warning' : 'error', message: p.message, range: p.range, related: [], fixedByPlan: false }));
}

function declRange(el: ClickElement): SourceRange {
  return el.nameRange ?? el.classRange;
}

function collectFindings(model: ConfigModel, chains: ChainAnalysis[], options: AnalyzeOptions): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (f: Finding) => {
    const k = `${f.code}:${f.range.startOffset}:${f.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      findings.push(f);
    }
  };

  for (const c of chains) {
    const stateful = c.elements.filter((s) => s.stateful);
    const betterPlanExists = c.plan.cost < c.currentCost;
    for (const s of stateful) {
      const disjoint = stateful.filter((o) => o !== s && s.flowKey.length && o.flowKey.length && !o.flowKey.some((f) => s.flowKey.includes(f)));
      if (disjoint.length) {
        add({
          code: 'disjoint-keys',
          severity: 'warning',
          message:
            `${s.instance.id} keeps state per ${formatKey(s.flowKey)}, disjoint from ${disjoint.map((o) => `${o.instance.id} (${formatKey(o.flowKey)})`).join(', ')}: ` +
            `no RSS setting keeps both shared-nothing, so one of them must share state across cores`,
          range: declRange(s.instance.decl),
          related: disjoint.map((o) => ({ range: declRange(o.instance.decl), message: `${o.instance.id} keeps state per ${formatKey(o.flowKey)}` })),
          fixedByPlan: false,
        });
      }
      if (s.currentShared === false && !s.safeSharedNothingNow) {
        add({
          code: 'unsafe-shared-nothing',
          severity: 'error',
          message:
            `${s.instance.id} is set ${options.sharedParameter} false (shared-nothing) but RSS hashes ${formatKey(c.current.rss)}${c.current.source === 'default' ? ' (the driver default)' : ''}, ` +
            `which is not inside its flow key ${formatKey(s.flowKey)}: packets of one flow would reach several cores and see different state`,
          range: s.currentSharedArg?.range ?? declRange(s.instance.decl),
          related: c.current.arg ? [{ range: c.current.arg.range, message: `RSS fields set here` }] : [],
          fixedByPlan: true,
        });
      }
      if (betterPlanExists && s.currentShared === true && s.planShared === false) {
        add({
          code: 'better-plan',
          severity: 'hint',
          message: `${s.instance.id} shares state across cores under the current setting; RSS on ${formatKey(c.plan.rss)} would let it run shared-nothing (Optimize chain)`,
          range: declRange(s.instance.decl),
          related: [],
          fixedByPlan: true,
        });
      }
      for (const d of s.info?.features?.disagreements ?? []) {
        add({
          code: 'features-disagree',
          severity: 'warning',
          message: `${s.instance.className}: static analysis says ${d.feature} = ${d.staticValue}, the LLM says ${d.llmValue}; ${d.resolution}`,
          range: s.instance.decl.classRange,
          related: [],
          fixedByPlan: false,
        });
      }
    }
    if (c.current.unknownFields.length && c.current.arg) {
      add({
        code: 'chain-note',
        severity: 'warning',
        message: `${options.rssParameter} names unknown field(s) ${c.current.unknownFields.join(', ')}; known fields are ${FLOW_FIELDS.join(', ')}`,
        range: c.current.arg.valueRange,
        related: [],
        fixedByPlan: true,
      });
    }
  }
  for (const el of model.elements) {
    if (options.lookup(el.className) || !STATEFUL_LOOKING.test(el.className)) continue;
    if (model.elementClasses.some((c) => c.name === el.className)) continue;
    add({
      code: 'unknown-class',
      severity: 'information',
      message: `${el.className} looks stateful but is not in the element index: add its sources to flowmage.sourcePaths so FlowMage can analyze it`,
      range: el.classRange,
      related: [],
      fixedByPlan: false,
    });
  }
  return findings;
}
