// Merges the static analysis with the LLM's answer, conservatively (docs/ARCHITECTURE.md §2): a key wider than
// the truth can break the NF, so the solver uses the intersection of the two keys; it treats the
// element as stateful, per-packet and pointer chasing if either source says so. Every
// disagreement is kept so the editor can show it.
import { formatKey, normalizeKey, type ElementFeatures, type FeatureName, type FlowField } from '../analysis/features';
import type { SolverFeatures } from '../solver/types';
import type { LlmFeatureAnswer } from './types';

export interface Disagreement {
  feature: FeatureName;
  staticValue: string;
  llmValue: string;
  /** What the merge used and why. */
  resolution: string;
}

export interface MergedFeatures extends SolverFeatures {
  /** 'static', 'llm:<model>' or both. */
  sources: string[];
  disagreements: Disagreement[];
}

export function fromStatic(f: ElementFeatures): SolverFeatures {
  return { stateful: f.stateful, flowKey: f.flowKey, ...staticOnly(f), intensity: f.intensity, pointerChasing: f.pointerChasing };
}

/** What only the static analysis finds (keys outside the 5-tuple, direction, fragments). */
function staticOnly(f: ElementFeatures): Pick<SolverFeatures, 'otherKeyFields' | 'bidirectional' | 'fragments'> {
  return {
    ...(f.otherKeyFields?.length ? { otherKeyFields: f.otherKeyFields } : {}),
    ...(f.bidirectional ? { bidirectional: true } : {}),
    ...(f.fragments ? { fragments: true } : {}),
  };
}

export function mergeFeatures(stat: ElementFeatures | undefined, llm: { model: string; answer: LlmFeatureAnswer } | undefined): MergedFeatures | null {
  if (!stat && !llm) return null;
  if (!llm) return { ...fromStatic(stat!), sources: ['static'], disagreements: [] };
  const l = llm.answer;
  const llmFeatures: SolverFeatures = { stateful: l.stateful, flowKey: l.flowKey, intensity: l.intensity, pointerChasing: l.pointerChasing };
  if (!stat) return { ...llmFeatures, sources: [`llm:${llm.model}`], disagreements: [] };

  const disagreements: Disagreement[] = [];
  const stateful = stat.stateful || l.stateful;
  if (stat.stateful !== l.stateful) {
    disagreements.push({
      feature: 'stateful',
      staticValue: stat.stateful ? 'stateful' : 'stateless',
      llmValue: l.stateful ? 'stateful' : 'stateless',
      resolution: 'treated as stateful (either source saying stateful is enough)',
    });
  }

  // A key "exists" when the source says stateful and names at least one field. A static key the
  // analyzer marked undecided is still a subset of the true key (it never widens), so it is
  // intersected like any other; only an empty one defers to the LLM.
  // A static key made only of fields outside the 5-tuple is decided too: it holds no RSS field, and
  // taking the LLM's key instead would widen it.
  const decidedOutside = (stat.otherKeyFields?.length ?? 0) > 0 && !stat.unknown.includes('flowKey');
  const staticKey = stat.stateful && (stat.flowKey.length > 0 || decidedOutside) ? stat.flowKey : undefined;
  const llmKey = l.stateful ? l.flowKey : undefined;
  let flowKey: FlowField[] = [];
  if (stateful) {
    if (staticKey && llmKey) flowKey = normalizeKey(staticKey.filter((f) => llmKey.includes(f)));
    else flowKey = staticKey ?? llmKey ?? stat.flowKey;
  }
  if (staticKey && llmKey && formatKey(staticKey) !== formatKey(llmKey)) {
    disagreements.push({
      feature: 'flowKey',
      staticValue: formatKey(staticKey),
      llmValue: formatKey(llmKey),
      resolution: `using the intersection ${formatKey(flowKey)}: a key wider than the truth could send one flow's packets to several cores`,
    });
  }

  const intensity = stateful ? (stat.intensity === 'per-packet' || l.intensity === 'per-packet' ? 'per-packet' : (stat.intensity ?? l.intensity ?? 'per-packet')) : null;
  if (stat.stateful && l.stateful && stat.intensity && l.intensity && stat.intensity !== l.intensity) {
    disagreements.push({ feature: 'intensity', staticValue: stat.intensity, llmValue: l.intensity, resolution: 'using per-packet (the costlier assumption)' });
  }
  const pointerChasing = stateful && (stat.pointerChasing || l.pointerChasing);
  if (stat.stateful && l.stateful && stat.pointerChasing !== l.pointerChasing) {
    disagreements.push({
      feature: 'pointerChasing',
      staticValue: String(stat.pointerChasing),
      llmValue: String(l.pointerChasing),
      resolution: 'assuming pointer chasing (the costlier assumption)',
    });
  }
  return { stateful, flowKey, ...(stateful ? staticOnly(stat) : {}), intensity, pointerChasing, sources: ['static', `llm:${llm.model}`], disagreements };
}
