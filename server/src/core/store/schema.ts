// The on-disk shape of `.flowmage/features.json`. One entry per element (by Click name) with the
// features each source found: `static` (this analyzer) and `llm:<model>` (the LLM extractor),
// the hash of the code slice they were computed from, and cached code-complexity comparisons.
// Paths inside are relative to the store's base directory (the workspace), with `/` separators.
import type { CoreFeatures, ElementFeatures, FeatureName, Provenance } from '../analysis/features';

/**
 * Features as a source stored them: the four features always; evidence, state objects,
 * confidence and unknowns when the source has them (the static analyzer always does).
 */
export type StoredFeatures = CoreFeatures & Partial<Omit<ElementFeatures, FeatureName>>;

export const STORE_SCHEMA = 'flowmage-features';
export const STORE_VERSION = 1;

export interface SourceRecord {
  features: StoredFeatures;
  /** ISO time of the analysis. */
  analyzedAt: string;
  /** Hash of the code slice the features were computed from. */
  sliceHash: string;
  /** static: the analyzer's version; results of an older analyzer are recomputed. */
  analyzerVersion?: number;
  /** static: hash of the slice's source locations, so evidence lines never go stale. */
  layoutHash?: string;
  /** llm: the model as the endpoint named it, and what the call cost. */
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  /** Later sources may add fields; unknown fields are kept as they are. */
  [extra: string]: unknown;
}

export interface StoreEntry {
  /** The C++ class (the key of the entry is the Click name). */
  className: string;
  files: string[];
  /** Hash of the current code slice (`sha256:<hex>`). */
  sliceHash: string;
  sliceChars: number;
  updatedAt: string;
  sources: Partial<Record<Provenance, SourceRecord>>;
}

/** A cached answer to "which of A and B needs more processing per packet" (paper §3.1, CCE). */
export interface ComparisonRecord {
  a: string;
  b: string;
  model: string;
  /** The Click name of the more complex element, or 'equal'. */
  moreComplex: string;
  /** Slice hashes of a and b when compared: a changed slice invalidates the answer. */
  sliceHashes: [string, string];
  promptTokens?: number;
  completionTokens?: number;
  reason?: string;
  /** The comparison prompt's version: a new prompt invalidates the answer. */
  promptVersion?: string;
  at: string;
}

export interface StoreFile {
  schema: typeof STORE_SCHEMA;
  version: number;
  generator: string;
  updatedAt: string;
  elements: Record<string, StoreEntry>;
  /** Keyed by comparisonKey(model, a, b). */
  comparisons: Record<string, ComparisonRecord>;
}

/** The key of a comparison, independent of the order of a and b. */
export function comparisonKey(model: string, a: string, b: string): string {
  const [x, y] = a < b ? [a, b] : [b, a];
  return `${model}|${x}|${y}`;
}
