// How a plan reaches the FastClick that will run it, decided from what the indexed source accepts
// (never from class names): the RSS fields through the fork's keyword, through DPDK flow rules
// (MODE flow + FLOW_RULES_FILE), or not at all; each element's sharing through the fork's
// keyword, by swapping to a sibling class with the other threading model, or not at all.
import type { ThreadingModel } from '../analysis/threading';
import type { KeywordAnswer } from '../chains/keywordSupport';

export const REWRITE_TARGETS = ['auto', 'flowmage-fork', 'fastclick'] as const;
export type RewriteTarget = (typeof REWRITE_TARGETS)[number];

export interface DeviceTarget {
  kind: 'fork' | 'flow-rules' | 'none';
  reason: string;
}

export const FLOW_MODE_KEYWORD = 'MODE';
export const FLOW_RULES_KEYWORD = 'FLOW_RULES_FILE';

export function deviceTarget(setting: RewriteTarget, className: string, reads: (keyword: string) => KeywordAnswer, rssParameter: string): DeviceTarget {
  if (setting === 'flowmage-fork') return { kind: 'fork', reason: `flowmage.rewrite.target is flowmage-fork: ${rssParameter} on ${className}` };
  const flowRules = reads(FLOW_MODE_KEYWORD) === true && reads(FLOW_RULES_KEYWORD) === true;
  if (setting === 'auto' && reads(rssParameter) === true) return { kind: 'fork', reason: `${className} reads ${rssParameter} (FlowMage's fork)` };
  if (flowRules) {
    return {
      kind: 'flow-rules',
      reason: `${className} reads ${FLOW_MODE_KEYWORD} and ${FLOW_RULES_KEYWORD}${setting === 'fastclick' ? ' (flowmage.rewrite.target is fastclick)' : ` and not ${rssParameter}`}: DPDK flow rules in a rules file`,
    };
  }
  const wanted = setting === 'fastclick' ? `${FLOW_MODE_KEYWORD} and ${FLOW_RULES_KEYWORD}` : `${rssParameter}, nor ${FLOW_MODE_KEYWORD} and ${FLOW_RULES_KEYWORD}`;
  return { kind: 'none', reason: `${className} is not known to read ${wanted}: FastClick cannot set its RSS fields from the configuration` };
}

export type SharingRoute =
  | { kind: 'parameter'; reason: string }
  | {
      kind: 'class';
      model: ThreadingModel | null;
      /** The class to use for shared-nothing (per-thread state), if any. */
      perThread?: string;
      /** The class to use for shared state, if any. */
      shared?: string;
      reason: string;
    };

export interface Sibling {
  clickName: string;
  relation: string;
  model: ThreadingModel | null;
  /** Whether it accepts every argument the declaration gives. */
  accepts: boolean;
}

export function sharingRoute(
  setting: RewriteTarget,
  className: string,
  model: ThreadingModel | null,
  readsShared: KeywordAnswer,
  sharedParameter: string,
  siblings: readonly Sibling[],
  swapClasses = true,
): SharingRoute {
  if (setting === 'flowmage-fork') return { kind: 'parameter', reason: `flowmage.rewrite.target is flowmage-fork: ${sharedParameter} on ${className}` };
  if (setting === 'auto' && readsShared === true) return { kind: 'parameter', reason: `${className} reads ${sharedParameter}` };
  const candidates = siblings.filter((s) => s.accepts && s.model && s.model !== model);
  // A sibling is another implementation, with its own defaults and bugs: swapping to it is the
  // user's call. Without flowmage.rewrite.swapClasses the plan only names it.
  if (!swapClasses && candidates.length) {
    const named = candidates.map((s) => `${s.clickName} (${s.model}; ${s.relation})`).join(', ');
    return {
      kind: 'class',
      model,
      perThread: model === 'per-thread' ? className : undefined,
      shared: model === 'shared-safe' ? className : undefined,
      reason: `${className}'s sharing is fixed by its implementation (${model ?? 'threading unknown'}); sibling ${named} could replace it: set flowmage.rewrite.swapClasses to let Optimize chain swap classes`,
    };
  }
  const usable = siblings.filter((s) => s.accepts && s.model);
  const pick = (m: ThreadingModel) => (model === m ? className : usable.find((s) => s.model === m)?.clickName);
  const perThread = pick('per-thread');
  const shared = pick('shared-safe');
  const swaps = usable.filter((s) => s.clickName === perThread || s.clickName === shared).map((s) => `${s.clickName} (${s.model}; ${s.relation})`);
  const refused = siblings.filter((s) => !s.accepts && s.model && s.model !== model).map((s) => `${s.clickName} does not accept every argument given here`);
  const reason = swaps.length
    ? `${className} is ${model ?? 'of unknown threading'}; sibling ${swaps.join(', ')}`
    : `${className}'s sharing is fixed by its implementation (${model ?? 'threading unknown'}; no sibling class with the other threading model${refused.length ? `: ${refused.join(', ')}` : ''})`;
  return { kind: 'class', model, perThread, shared, reason };
}
