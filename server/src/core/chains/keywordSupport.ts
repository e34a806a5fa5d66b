// Whether an element class reads a configuration keyword, for choosing how to deploy a plan.
// The parameter index (cpp/parameters.ts) answers when it is available; until then the element's
// own files are searched for the keyword as a string literal (`.read("MODE", ...)`): found means
// read, not found means unknown, never "not read".
import type { FeatureTracker } from '../analysis/featureTracker';

export type KeywordAnswer = boolean | 'unknown';

export function readsKeyword(tracker: FeatureTracker, clickName: string, keyword: string): KeywordAnswer {
  const t = tracker.get(clickName);
  if (!t) return 'unknown';
  const literal = new RegExp(`"${keyword.replace(/[^\w]/g, '')}"`);
  return t.files.some((f) => literal.test(tracker.index.text(f) ?? '')) ? true : 'unknown';
}
