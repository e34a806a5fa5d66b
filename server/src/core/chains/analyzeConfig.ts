// The whole judgement on one configuration: its chains, what each element keeps and under which
// key, how it runs under the configuration as written, the solver's plan, findings for the editor
// and the edits that apply the plan. Plain data in, plain data out; LSP and CLI adapt it.
import { basename, dirname, extname, join } from 'node:path';
import { FLOW_FIELDS, FOUR_TUPLE, formatKey, type Confidence, type FlowField } from '../analysis/features';
import type { ThreadingVerdict } from '../analysis/threading';
import type { ClickArg, ClickElement, ConfigModel } from '../click/model';
import type { MergedFeatures } from '../llm/merge';
import { deviceTarget, FLOW_MODE_KEYWORD, FLOW_RULES_KEYWORD, sharingRoute, type DeviceTarget, type RewriteTarget, type SharingRoute, type Sibling } from '../rewrite/deployTarget';
import { ethtoolSteps, flowRulesFor, flowRulesText, isDriverDefault, rulesAreSymmetric } from '../rewrite/flowRules';
import type { NicProfileData } from '../rss/nicProfiles';
import { symmetricKey } from '../rss/toeplitz';
import { traceSimulator, type ChainTrace, type TraceInput } from './traceSimulator';

export type { ChainTrace, TraceInput } from './traceSimulator';
import { keywordEdit } from '../rewrite/keywordEdit';
import type { KeywordAnswer } from './keywordSupport';
import { candidateFieldSets, DEFAULT_RSS, isSubset, parseFieldList, profileNic, symmetricHashFor, type NicProfile } from '../solver/candidates';
import type { CostWeights } from '../solver/cost';
import {
  candidateLabel,
  isSymmetricSet,
  keepsFlowsTogether,
  rankByComparison,
  solve,
  staticRanking,
  tiedElements,
  evaluate,
  type BalanceOptions,
  type ComplexityRanking,
} from '../solver/solve';
import type { Candidate, Plan, SolverElement, SymmetricHash } from '../solver/types';
import { LineIndex, type SourceRange, type TextEdit } from '../text';
import { keywordArg, parseClickBool, resolveArgValue, unquote } from './args';
import { flattenConfig, type Chain, type FlattenProblem, type InstanceLink, type InstanceNode } from './findChains';

export interface ElementInfo {
  className: string;
  /** Merged features, or null when the class is known but unanalyzable. */
  features: MergedFeatures | null;
  workEstimate?: number;
  /** Where the class is defined, for links. */
  file?: string;
  line?: number;
  /** How its state behaves under several threads. */
  threading?: ThreadingVerdict;
  /** The static analysis's confidence in the features (an uncertain key makes claims warnings, not errors). */
  confidence?: Confidence;
  /** Whether its configure() reads a keyword. */
  reads?: (keyword: string) => KeywordAnswer;
  /** How many positional arguments its configure() takes, when the parameter list is complete. */
  positional?: number | 'unknown';
  /** Classes of the same family (variants with another threading model, perhaps); computed on demand. */
  family?: () => ReadonlyArray<{ clickName: string; relation: string }>;
}

export interface AnalyzeOptions {
  lookup: (className: string) => ElementInfo | undefined;
  nicProfile: NicProfile;
  customFieldSets: string[][];
  /** flowmage.solver.customNicProfile: a user NIC for the custom profile. */
  customNicProfile?: Record<string, unknown>;
  weights: CostWeights;
  rssParameter: string;
  sharedParameter: string;
  /** Which of two classes needs more processing per packet (the LLM's CCE), or null if it cannot say. */
  compareComplexity?: (a: string, b: string) => Promise<string | null>;
  /** flowmage.rewrite.target (default auto: decided per element from what its source reads). */
  target?: RewriteTarget;
  /** Whether Optimize chain may replace a class by its sibling with the other threading model. */
  swapClasses?: boolean;
  /** The configuration's path: rules files are written beside it. Without it no rules file is planned. */
  configPath?: string;
  /** Reads a file's current text (undefined when it does not exist), to leave an identical rules file alone. */
  readFile?: (path: string) => string | undefined;
  /** A capture (flowmage.solver.trace, --trace): the solver weighs each candidate's balance on it. */
  trace?: TraceInput;
  /** Why the configured trace could not be used (said in the notes). */
  traceProblem?: string;
  /** flowmage.solver.imbalanceWeight: cost per unit of imbalance above 1 (default 2). */
  imbalanceWeight?: number;
  /** flowmage.solver.maxImbalance: candidates above it are rejected; 0 rejects none (default 2). */
  maxImbalance?: number;
}

export const DEFAULT_IMBALANCE_WEIGHT = 2;
export const DEFAULT_MAX_IMBALANCE = 2;

/** A file the rewrite creates or replaces beside the configuration (a DPDK flow rules file). */
export interface FileChange {
  path: string;
  content: string;
  /** Whether the file exists already (it is then replaced). */
  exists: boolean;
}

export interface ChainDeploy extends DeviceTarget {
  /** For flow rules: the file, its rules, and how the configuration names it. */
  rulesFile?: string;
  rules?: string[];
  /** The plan with every RSS candidate, when the device cannot take the one it would choose. */
  idealRss?: FlowField[];
  /** Whether that ideal hashing is symmetric (an element sees both directions). */
  idealSymmetric?: SymmetricHash;
  /** Symmetric hashing would keep more of the chain shared-nothing, but the target cannot write it. */
  symmetricHint?: string;
  notes: string[];
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
  threading?: ThreadingVerdict;
  /** How the plan's sharing decision reaches the configuration. */
  route?: SharingRoute;
}

export interface ChainAnalysis {
  chain: Chain;
  threads: number | null;
  current: { rss: FlowField[]; source: 'parameter' | 'default'; arg?: ClickArg; unknownFields: string[]; /** The rules file in place hashes symmetrically. */ symmetric?: boolean };
  /** The solver's cost of the chain as configured (every stateful element whose key does not hold the RSS fields shares). */
  currentCost: number;
  plan: Plan;
  elements: ElementStatus[];
  deploy: ChainDeploy;
  /** With a trace: the per-queue loads the solver weighed. */
  trace?: ChainTrace;
}

export type FindingCode =
  | 'disjoint-keys'
  | 'better-plan'
  | 'unsafe-shared-nothing'
  | 'unsafe-threading'
  | 'manual-rss'
  | 'unknown-class'
  | 'features-disagree'
  | 'chain-note'
  | 'rss-balance'
  | 'split-two-way'
  | 'symmetric-rss'
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
  /** Files created or replaced with the edits (flow rules), always applied together with them. */
  fileChanges: FileChange[];
  /** Explanations of the edits and of anything the rewrite had to settle (shared classes, several chains). */
  editNotes: string[];
  notes: string[];
  /** The connections leaving an instance of the chains, with their ports (for the chain view). */
  linksFrom(instance: InstanceNode): InstanceLink[];
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
  const candidates = candidateFieldSets(options.nicProfile, options.customFieldSets, candidateProblems, options.customNicProfile);
  notes.push(...candidateProblems);
  const nic = profileNic(options.nicProfile, options.customFieldSets, options.customNicProfile);
  if (options.traceProblem) notes.push(options.traceProblem);

  const target = options.target ?? 'auto';
  const chains: ChainAnalysis[] = [];
  for (const chain of flat.chains) {
    const elements = chain.elements.slice(1);
    const inputInfo = options.lookup(chain.input.className);
    const readsOf = (info: ElementInfo | undefined) => info?.reads ?? (() => 'unknown' as const);
    const threads = threadsOf(chain.input, defines);
    const deploy = chainDeploy(chain, target, readsOf(inputInfo), threads, options, defines);
    const routes = elements.map((inst) => {
      const info = options.lookup(inst.className);
      if (!info?.features?.stateful) return undefined;
      const siblings: Sibling[] = (info.family?.() ?? []).map((m) => {
        const other = options.lookup(m.clickName);
        return {
          clickName: m.clickName,
          relation: m.relation,
          model: other?.threading?.model ?? null,
          accepts: acceptsArgs(inst.decl, readsOf(other), other?.positional ?? 'unknown'),
        };
      });
      return sharingRoute(
        target,
        inst.className,
        info.threading?.model ?? null,
        readsOf(info)(options.sharedParameter),
        options.sharedParameter,
        siblings,
        options.swapClasses ?? false,
      );
    });
    const solverElements: SolverElement[] = elements.map((inst, i) => {
      const info = options.lookup(inst.className);
      const route = routes[i];
      // With an unknown key nothing can be concluded about its per-thread state (it may be a cache
      // of shared state): no hard constraint, no class swap.
      const byClass = route?.kind === 'class' && route.model !== null && !!info?.features?.flowKey.length;
      return {
        name: inst.id,
        className: inst.className,
        features: info?.features ?? null,
        workEstimate: info?.workEstimate,
        // Only per-thread state forbids sharing; unsafe state is costed as shared and reported.
        ...(byClass ? { canShareNothing: !!route.perThread, canShare: route.model !== 'per-thread' || !!route.shared } : {}),
      };
    });
    // Without the fork's keyword the driver hashes addresses and ports (IP|TCP|UDP): the protocol
    // number is no input of the hash, so the fields in place are the 4-tuple.
    const current: ChainAnalysis['current'] =
      deploy.kind === 'fork' ? currentRss(chain.input, options.rssParameter, defines) : { rss: [...DRIVER_HASH], source: 'default' as const, unknownFields: [] };
    if (deploy.kind === 'flow-rules' && deploy.rulesFile && keywordArg(chain.input.decl, FLOW_RULES_KEYWORD)) {
      const inPlace = options.readFile?.(deploy.rulesFile);
      if (inPlace !== undefined && rulesAreSymmetric(inPlace)) current.symmetric = true;
    }
    // The device decides which field sets can be deployed: all (fork), those DPDK rss types
    // express on this NIC (flow rules), or only the one in place (nothing can change it).
    const deployable = deploy.kind === 'fork' ? candidates : deploy.kind === 'flow-rules' ? rulesCandidates(candidates, nic, deploy) : [current.rss];
    const chainCandidates = deployable.length ? deployable : [current.rss];
    // Symmetric hashing reaches the NIC only through flow rules (`func` or `key` in the rss action).
    const symmetric = deploy.kind === 'flow-rules' ? (rss: readonly FlowField[]) => symmetricHashFor(nic, rss) : undefined;
    const sim = options.trace ? traceSimulator(options.trace, nic, threads, chainCandidates) : undefined;
    const balance: BalanceOptions | undefined = sim && {
      imbalance: sim.imbalance,
      weight: options.imbalanceWeight ?? DEFAULT_IMBALANCE_WEIGHT,
      max: options.maxImbalance ?? DEFAULT_MAX_IMBALANCE,
      traceName: options.trace!.name,
    };
    const ranking = await tieBreakRanking(solverElements, chainCandidates, options);
    const plan = solve(solverElements, { candidates: chainCandidates, weights: options.weights, ranking, notes: candidateProblems, symmetric, balance });
    if (deploy.kind === 'none') {
      const ideal = solve(solverElements, { candidates, weights: options.weights, notes: [], symmetric: (rss) => symmetricHashFor(nic, rss) });
      if (ideal.cost < plan.cost) {
        deploy.idealRss = ideal.rss;
        if (ideal.symmetric) deploy.idealSymmetric = ideal.symmetric;
      }
    }
    if (deploy.kind === 'fork' && solverElements.some((e) => e.features?.stateful && e.features.bidirectional)) {
      const ideal = solve(solverElements, { candidates, weights: options.weights, notes: [], symmetric: (rss) => symmetricHashFor(nic, rss), balance });
      if (ideal.symmetric && ideal.cost < plan.cost) {
        const keyHex = Array.from(symmetricKey(nic?.keySize ?? 40), (b) => b.toString(16).padStart(2, '0')).join(':');
        deploy.symmetricHint =
          `RSS on ${candidateLabel(ideal)} would keep ${ideal.elements
            .filter((e) => e.shared === false)
            .map((e) => e.name)
            .join(', ')} shared-nothing, but ${options.rssParameter} names fields only, not a symmetric hash. ` +
          `Give the port the repeated 0x6d5a RSS key by hand (a kernel-driven NIC: ethtool -X <if> hkey ${keyHex}; DPDK: rte_eth_dev_rss_hash_update), then set the elements that see both directions shared-nothing`;
      }
    }
    if (deploy.kind === 'flow-rules' && (!isDriverDefault(plan.rss) || plan.symmetric)) {
      const verdict = flowRulesFor(
        plan.rss,
        Array.from({ length: threads ?? 0 }, (_, i) => i),
        { nic, symmetric: plan.symmetric },
      );
      if (verdict.ok) {
        deploy.rules = verdict.rules;
        deploy.notes.push(...verdict.notes);
      } else deploy.notes.push(verdict.reason);
    }
    const currentHash: Candidate =
      current.symmetric && isSymmetricSet(current.rss) ? { rss: current.rss, symmetric: symmetricHashFor(nic, current.rss) ?? { how: 'key' } } : { rss: current.rss };
    const statuses = elements.map((inst, i): ElementStatus => {
      const info = options.lookup(inst.className);
      const f = solverElements[i].features;
      const route = routes[i];
      const sharedArg = keywordArg(inst.decl, options.sharedParameter);
      const written = sharedArg ? parseClickBool(resolveArgValue(sharedArg.value, inst.bindings, defines)) : undefined;
      const decision = plan.elements[i];
      // As written: the fork's keyword (sharing by default), or the class's own threading model.
      const currentShared = !f?.stateful ? null : route?.kind === 'class' && route.model ? route.model !== 'per-thread' : (written ?? true);
      return {
        instance: inst,
        info,
        stateful: !!f?.stateful,
        flowKey: f?.flowKey ?? [],
        currentShared,
        currentSharedArg: route?.kind === 'class' ? undefined : sharedArg,
        // Direction-aware: two-way state also needs today's hash to be symmetric.
        safeSharedNothingNow: !!f?.stateful && keepsFlowsTogether(solverElements[i], currentHash),
        planShared: decision.shared,
        reason: decision.reason,
        threading: info?.threading,
        route,
      };
    });
    const currentCost = evaluate(solverElements, [currentHash], options.weights, balance)[0].cost;
    const trace = sim?.report(chainCandidates, plan, currentHash);
    chains.push({ chain, threads, current, currentCost, plan, elements: statuses, deploy, ...(trace ? { trace } : {}) });
  }

  const { edits, editNotes, fileChanges } = planEdits(index, chains, options, defines);
  const findings = [...flattenFindings(model, flat.problems), ...collectFindings(model, chains, options)];
  return { chains, findings, edits, fileChanges, editNotes, notes, linksFrom: flat.linksFrom };
}

/** The candidates DPDK flow rules can hash on this NIC; those it refuses are named in the deploy notes. */
function rulesCandidates(candidates: FlowField[][], nic: NicProfileData | undefined, deploy: ChainDeploy): FlowField[][] {
  const out: FlowField[][] = [];
  const refused: string[] = [];
  for (const c of candidates) {
    const v = flowRulesFor(c, [0], { nic });
    if (v.ok) out.push(c);
    else if (nic && /driver has no/.test(v.reason)) refused.push(v.reason);
  }
  if (refused.length) deploy.notes.push(`not considered (the NIC's flow rules cannot express them): ${refused.join('; ')}`);
  return out;
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

const DRIVER_HASH: FlowField[] = [...FOUR_TUPLE];

function currentRss(input: InstanceNode, rssParameter: string, defines: Map<string, string>): ChainAnalysis['current'] {
  const arg = keywordArg(input.decl, rssParameter);
  if (!arg) return { rss: [...DEFAULT_RSS], source: 'default', unknownFields: [] };
  const { fields, unknown } = parseFieldList(resolveArgValue(arg.value, input.bindings, defines));
  return { rss: fields.length ? fields : [...DEFAULT_RSS], source: 'parameter', arg, unknownFields: unknown };
}

function threadsOf(input: InstanceNode, defines: Map<string, string>): number | null {
  // Receive queues first: with MODE flow the rules spread over exactly these.
  for (const kw of ['N_QUEUES', 'MAXTHREADS']) {
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

function chainDeploy(
  chain: Chain,
  target: RewriteTarget,
  reads: (keyword: string) => KeywordAnswer,
  threads: number | null,
  options: AnalyzeOptions,
  defines: Map<string, string>,
): ChainDeploy {
  const d: ChainDeploy = { ...deviceTarget(target, chain.input.className, reads, options.rssParameter), notes: [] };
  if (d.kind !== 'flow-rules') return d;
  if (!options.configPath) return { kind: 'none', reason: `${d.reason}, but the configuration is not saved in a file to put a rules file beside`, notes: [] };
  if (!threads) {
    return { kind: 'none', reason: `${d.reason}, but the number of receive queues is unknown (N_QUEUES or MAXTHREADS is not a number): no rules file can list them`, notes: [] };
  }
  const rulesFile = rulesFilePath(options.configPath, chain.input.id);
  // A rules file the user named (dispatching rules, say) is theirs: never replaced, never guessed at.
  const named = keywordArg(chain.input.decl, FLOW_RULES_KEYWORD);
  if (named && basename(unquote(resolveArgValue(named.value, chain.input.bindings, defines))) !== basename(rulesFile)) {
    return { kind: 'none', reason: `${d.reason}, but the configuration already names its own rules file (${named.value}); FlowMage leaves it to you`, notes: [] };
  }
  d.rulesFile = rulesFile;
  return d;
}

/** `conf/nat-dpdk.click` + `fd0` → `conf/nat-dpdk.fd0.rules`; anonymous `FromDPDKDevice@2` → `...FromDPDKDevice-2.rules`. */
export function rulesFilePath(configPath: string, elementId: string): string {
  const stem = basename(configPath, extname(configPath));
  return join(dirname(configPath), `${stem}.${elementId.replace(/[^\w.-]+/g, '-')}.rules`);
}

/** Whether a class reads every keyword this declaration gives and takes as many positional arguments. */
function acceptsArgs(decl: ClickElement, reads: (keyword: string) => KeywordAnswer, positional: number | 'unknown'): boolean {
  const args = decl.config?.args ?? [];
  const plain = args.filter((a) => !a.keyword).length;
  if (plain > 0 && (positional === 'unknown' || plain > positional)) return false;
  return args.every((a) => !a.keyword || reads(a.keyword) === true);
}

function planEdits(
  index: LineIndex,
  chains: ChainAnalysis[],
  options: AnalyzeOptions,
  defines: Map<string, string>,
): { edits: TextEdit[]; editNotes: string[]; fileChanges: FileChange[] } {
  const editNotes: string[] = [];
  const edits: TextEdit[] = [];
  const fileChanges: FileChange[] = [];
  const push = (e: TextEdit | null) => {
    if (e) edits.push(e);
  };

  // One RSS value per input declaration (a compound used twice could hold one device for two chains).
  const rssByDecl = new Map<ClickElement, { fields: FlowField[]; inputs: string[]; chain: ChainAnalysis; uses: ChainAnalysis[] }>();
  for (const c of chains) {
    const cur = rssByDecl.get(c.chain.input.decl);
    if (cur && cur.fields.join() !== c.plan.rss.join()) {
      editNotes.push(
        `${c.chain.input.id} and ${cur.inputs.join(', ')} share one declaration but their plans differ (${formatKey(c.plan.rss)} vs ${formatKey(cur.fields)}); keeping the first`,
      );
      continue;
    }
    rssByDecl.set(c.chain.input.decl, { fields: c.plan.rss, inputs: [...(cur?.inputs ?? []), c.chain.input.id], chain: cur?.chain ?? c, uses: [...(cur?.uses ?? []), c] });
  }
  for (const [decl, { fields, inputs, chain, uses }] of rssByDecl) {
    const deploy = chain.deploy;
    if (deploy.kind === 'fork') {
      const written = keywordArg(decl, options.rssParameter);
      // Already hashing exactly these fields for every use of the declaration (however written:
      // a `define`, or a compound formal bound by each use): leave it alone.
      const hashes = (use: ChainAnalysis) => !!written && parseFieldList(resolveArgValue(written.value, use.chain.input.bindings, defines)).fields.join() === fields.join();
      if (written && uses.every(hashes)) continue;
      // Not written and the plan keeps the driver's 5-tuple: writing it would change nothing.
      if (!written && fields.length === FLOW_FIELDS.length) continue;
      push(keywordEdit(index, decl, options.rssParameter, rssValue(fields)));
      editNotes.push(`${inputs.join(', ')}: ${options.rssParameter} ${rssValue(fields)} (${deploy.reason})`);
    } else if (deploy.kind === 'flow-rules') {
      if (!deploy.rules || !deploy.rulesFile) continue;
      const mode = keywordArg(decl, FLOW_MODE_KEYWORD);
      if (!mode || unquote(resolveArgValue(mode.value, chain.chain.input.bindings, defines)) !== 'flow') push(keywordEdit(index, decl, FLOW_MODE_KEYWORD, 'flow'));
      const fileName = basename(deploy.rulesFile);
      const named = keywordArg(decl, FLOW_RULES_KEYWORD);
      if (!named || unquote(resolveArgValue(named.value, chain.chain.input.bindings, defines)) !== fileName) push(keywordEdit(index, decl, FLOW_RULES_KEYWORD, `"${fileName}"`));
      const content = flowRulesText(deploy.rules);
      const previous = options.readFile?.(deploy.rulesFile);
      if (previous !== content) fileChanges.push({ path: deploy.rulesFile, content, exists: previous !== undefined });
      editNotes.push(
        `${inputs.join(', ')}: ${FLOW_MODE_KEYWORD} flow, ${FLOW_RULES_KEYWORD} "${fileName}" with ${deploy.rules.length} DPDK flow rule(s) hashing ${candidateLabel(chain.plan)} over ${chain.threads} queue(s) (${deploy.reason})`,
      );
    }
  }

  // One sharing decision per declaration. Sharing is always correct, shared-nothing only when every
  // instance of the declaration in every chain allows it.
  const byDecl = new Map<ClickElement, { shared: boolean; route: SharingRoute; twoWay: boolean; votes: Array<{ id: string; chain: string; shared: boolean; hashing: string }> }>();
  for (const c of chains) {
    for (const s of c.elements) {
      if (s.planShared === null || !s.route) continue;
      if (s.route.kind === 'class' && s.flowKey.length === 0) continue;
      const cur = byDecl.get(s.instance.decl) ?? { shared: false, route: s.route, twoWay: !!s.info?.features?.bidirectional, votes: [] };
      cur.votes.push({ id: s.instance.id, chain: c.chain.input.id, shared: s.planShared, hashing: candidateLabel(c.plan) });
      cur.shared = cur.shared || s.planShared;
      byDecl.set(s.instance.decl, cur);
    }
  }
  for (const [decl, entry] of byDecl) {
    const { route, votes } = entry;
    // Both directions of a connection meet on one core only if every device feeding it hashes alike.
    const hashings = new Set(votes.map((v) => v.hashing));
    if (entry.twoWay && !entry.shared && hashings.size > 1) {
      entry.shared = true;
      editNotes.push(
        `${decl.name} (${decl.className}) sees both directions of a connection, but the devices feeding it hash differently (${votes.map((v) => `${v.chain}: ${v.hashing}`).join('; ')}): a reply may reach another core than its request, so it stays shared`,
      );
    }
    const shared = entry.shared;
    const differing = new Set(votes.map((v) => v.shared)).size > 1;
    if (differing) {
      const where = decl.scope ? `the body of elementclass ${decl.scope}` : 'one declaration';
      editNotes.push(
        `${decl.name} (${decl.className}) is used as ${votes.map((v) => `${v.id} in the chain from ${v.chain} (${v.shared ? 'shared' : 'shared-nothing'})`).join(', ')}; ` +
          `${where} can hold only one value, so it stays shared (always correct, slower)`,
      );
    }
    if (route.kind === 'parameter') {
      push(keywordEdit(index, decl, options.sharedParameter, shared ? 'true' : 'false'));
      continue;
    }
    const wanted = shared ? route.shared : route.perThread;
    if (wanted && wanted !== decl.className) {
      push({ range: decl.classRange, newText: wanted });
      editNotes.push(`${decl.name}: ${decl.className} → ${wanted} (${shared ? 'shared state' : 'per-thread state'}; ${route.reason})`);
    } else if (!wanted && route.model && (route.model === 'per-thread') === shared) {
      editNotes.push(`${decl.name}: ${route.reason}; it stays ${route.model}`);
    }
  }
  return { edits: dedupe(edits), editNotes, fileChanges };
}

/**
 * Drops repeated edits and joins insertions at one offset into one edit, in the order made:
 * clients order same-position insertions differently, and the CLI and the editor must agree.
 */
function dedupe(edits: TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  const out: TextEdit[] = [];
  for (const e of edits) {
    const k = `${e.range.startOffset}:${e.range.endOffset}:${e.newText}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const at = e.range.startOffset === e.range.endOffset ? out.findIndex((o) => o.range.startOffset === e.range.startOffset && o.range.endOffset === o.range.startOffset) : -1;
    if (at >= 0) out[at] = { range: out[at].range, newText: out[at].newText + e.newText };
    else out.push(e);
  }
  return out;
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
      // Unsafe only because of direction (r ⊆ F, hash not symmetric): split-two-way says it.
      const keyUnsafe = !s.safeSharedNothingNow && !isSubset(c.current.rss, s.flowKey);
      if (s.currentShared === false && keyUnsafe && s.route?.kind === 'class') {
        if (s.flowKey.length) {
          const where = s.threading?.evidence[0];
          // The key may be narrower than the truth (the analysis never widens it): unless it is
          // certain, the fields outside it may still belong to the flow, so this is only a warning.
          const certain = s.info?.confidence === 'high';
          add({
            code: 'unsafe-shared-nothing',
            severity: certain ? 'error' : 'warning',
            message:
              `${s.instance.id} (${s.instance.className}) keeps per-thread state${where ? ` (${where.reason})` : ''} but RSS hashes ${formatKey(c.current.rss)}${c.current.source === 'default' ? ' (the driver default)' : ''}, ` +
              `which is not inside its flow key ${formatKey(s.flowKey)}: packets of one flow ${certain ? 'would' : 'may'} reach several cores and see different state` +
              (certain ? '' : ` (the key is found at ${s.info?.confidence ?? 'unknown'} confidence and may be wider)`),
            range: declRange(s.instance.decl),
            related: c.current.arg ? [{ range: c.current.arg.range, message: `RSS fields set here` }] : [],
            fixedByPlan: s.planShared === false ? isSubset(c.plan.rss, s.flowKey) && c.deploy.kind !== 'none' : !!s.route.shared,
          });
        }
      } else if (s.currentShared === false && keyUnsafe && s.route?.kind !== 'class') {
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
      if (s.threading?.model === 'unsafe' && (c.threads ?? 0) > 1) {
        add({
          code: 'unsafe-threading',
          severity: 'error',
          message:
            `${s.instance.id} (${s.instance.className}) writes per-flow state with no protection (${s.threading.evidence[0]?.reason ?? 'no lock, atomic or per-thread copy'}) ` +
            `but ${c.chain.input.id} runs ${c.threads} threads: concurrent packets corrupt it`,
          range: declRange(s.instance.decl),
          related: [],
          fixedByPlan: false,
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
    if (c.deploy.kind === 'none' && c.deploy.idealRss) {
      const steps = ethtoolSteps(c.deploy.idealRss);
      add({
        code: 'manual-rss',
        severity: 'hint',
        message:
          `RSS on ${candidateLabel({ rss: c.deploy.idealRss, symmetric: c.deploy.idealSymmetric })} would keep more of the chain shared-nothing than ${formatKey(c.current.rss)}, but ${c.deploy.reason}. ` +
          `Set it on the NIC by hand${steps.length ? ` (for a kernel-driven NIC: ${steps.join('; ')})` : ''}, then the per-thread variants become safe`,
        range: declRange(c.chain.input.decl),
        related: [],
        fixedByPlan: false,
      });
    }
    if (options.traceProblem) {
      add({
        code: 'chain-note',
        severity: 'warning',
        message: `${options.traceProblem}; the plan is made without it`,
        range: declRange(c.chain.input.decl),
        related: [],
        fixedByPlan: false,
      });
    }
    if (c.plan.balanceWarning) {
      add({ code: 'rss-balance', severity: 'information', message: c.plan.balanceWarning, range: declRange(c.chain.input.decl), related: [], fixedByPlan: false });
    }
    if (c.deploy.symmetricHint) {
      add({ code: 'symmetric-rss', severity: 'hint', message: c.deploy.symmetricHint, range: declRange(c.chain.input.decl), related: [], fixedByPlan: false });
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
  for (const f of splitTwoWayFindings(chains)) add(f);
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

/**
 * An element that sees both directions of a connection, fed by two or more input devices, where
 * some device hashes without symmetry today: a request and its reply can reach different cores.
 * With per-core state that loses the connection (error when the key is certain); with shared state
 * it is only slower than it could be.
 */
function splitTwoWayFindings(chains: ChainAnalysis[]): Finding[] {
  const byDecl = new Map<ClickElement, Array<{ c: ChainAnalysis; s: ElementStatus }>>();
  for (const c of chains) {
    for (const s of c.elements) {
      if (!s.stateful || !s.info?.features?.bidirectional) continue;
      byDecl.set(s.instance.decl, [...(byDecl.get(s.instance.decl) ?? []), { c, s }]);
    }
  }
  const out: Finding[] = [];
  for (const [decl, uses] of byDecl) {
    const inputs = [...new Set(uses.map((u) => u.c.chain.input.id))];
    const symmetricNow = (c: ChainAnalysis) => !!c.current.symmetric && isSymmetricSet(c.current.rss);
    const plain = uses.filter((u) => !symmetricNow(u.c));
    if (!plain.length) continue;
    // Per-core state inside the key: only direction keeps it from being safe.
    const perCore = uses.some((u) => u.s.currentShared === false && isSubset(u.c.current.rss, u.s.flowKey));
    // One device may carry both directions too, but with shared state that is only slower: flag it
    // for one device only when per-core state breaks.
    if (inputs.length < 2 && !perCore) continue;
    const rss = [...new Set(plain.map((u) => `${u.c.chain.input.id} hashes ${formatKey(u.c.current.rss)}${u.c.current.source === 'default' ? ' (the driver default)' : ''}`))];
    // Fixed only if every device will hash symmetrically, and alike (same fields, same form).
    const fixed =
      new Set(uses.map((u) => candidateLabel(u.c.plan))).size === 1 &&
      uses.every((u) => !!u.c.plan.symmetric && u.c.deploy.kind !== 'none' && (u.c.deploy.kind !== 'flow-rules' || !!u.c.deploy.rules));
    out.push({
      code: 'split-two-way',
      severity: perCore ? (uses[0].s.info?.confidence === 'high' ? 'error' : 'warning') : 'warning',
      message:
        `${uses[0].s.instance.id} (${decl.className}) sees both directions of a connection (${inputs.length > 1 ? `fed by ${inputs.join(' and ')}` : `its state is looked up with sources and destinations swapped; fed by ${inputs[0]}`}), but ${rss.join(', ')} without a symmetric hash: ` +
        `a request and its reply can reach different cores` +
        (perCore ? ', where its per-core state misses the other direction' : ', so its state has to be shared') +
        `. Symmetric hashing (func symmetric_toeplitz or the 0x6d5a key) over both addresses${fixed ? ' is what Optimize chain writes' : ' would keep them together'}`,
      range: declRange(decl),
      related: uses.map((u) => ({ range: declRange(u.c.chain.input.decl), message: `${u.c.chain.input.id} feeds it` })),
      fixedByPlan: fixed,
    });
  }
  return out;
}
