// Whether an element class reads a configuration keyword, for choosing how to deploy a plan:
// the parameter index's answer (cpp/parameters.ts): true, false (a complete list without it) or
// 'unknown' (a partial list without it). Only `true` lets the rewrite write a keyword. Where the
// index does not see the read (a keyword read through an `Args*` handed to a helper it does not
// follow yet), the keyword as a string literal in the element's own scope counts as read.
import type { FeatureTracker } from '../analysis/featureTracker';
import { readsKeyword as listReads } from '../cpp/parameters';

export type KeywordAnswer = boolean | 'unknown';

export function readsKeyword(tracker: FeatureTracker, clickName: string, keyword: string): KeywordAnswer {
  const answer = listReads(tracker.index.parameters(clickName), keyword);
  if (answer === true) return true;
  const t = tracker.get(clickName);
  const literal = new RegExp(`"${keyword.replace(/[^\w]/g, '')}"`);
  return t?.files.some((f) => literal.test(tracker.index.text(f) ?? '')) ? true : answer;
}

/** How many positional arguments the class takes (mandatory and optional), or 'unknown' for a partial list. */
export function positionalCount(tracker: FeatureTracker, clickName: string): number | 'unknown' {
  const list = tracker.index.parameters(clickName);
  if (!list || list.completeness !== 'complete') return 'unknown';
  return list.parameters.filter((p) => p.positional).length;
}
