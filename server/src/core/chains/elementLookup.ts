// What the chain analysis needs to know about an element class, read from the feature tracker
// (static analysis) and the store (LLM answers for the same code slice, prompt version and model).
// Shared by the language server and the CLI.
import type { FeatureTracker } from '../analysis/featureTracker';
import { mergeFeatures, type MergedFeatures } from '../llm/merge';
import { FEATURE_PROMPT_VERSION } from '../llm/prompts';
import type { LlmFeatureAnswer } from '../llm/types';
import type { SourceRecord } from '../store/schema';
import { estimateWork } from '../solver/workEstimate';
import type { ElementInfo } from './analyzeConfig';
import { familyOf } from '../cpp/families';
import { positionalCount, readsKeyword } from './keywordSupport';

/** The newest LLM answer stored for the element's current slice, under the current prompt version. */
export function currentLlmAnswer(tracker: FeatureTracker, clickName: string, model?: string): { model: string; answer: LlmFeatureAnswer; record: SourceRecord } | undefined {
  const found = tracker.llmRecord(clickName, model);
  if (!found || found.record.promptVersion !== FEATURE_PROMPT_VERSION) return undefined;
  const f = found.record.features;
  return {
    model: found.provenance.slice('llm:'.length),
    record: found.record,
    answer: {
      stateful: f.stateful,
      flowKey: f.flowKey,
      intensity: f.intensity,
      pointerChasing: f.pointerChasing,
      stateObjects: Array.isArray(found.record.llmStateObjects) ? (found.record.llmStateObjects as LlmFeatureAnswer['stateObjects']) : [],
    },
  };
}

export function mergedFeatures(tracker: FeatureTracker, clickName: string, model?: string): MergedFeatures | undefined {
  const t = tracker.get(clickName);
  if (!t || t.error) return undefined;
  return mergeFeatures(t.features, currentLlmAnswer(tracker, clickName, model)) ?? undefined;
}

const workBySlice = new Map<string, number>();

export function elementInfo(tracker: FeatureTracker, clickName: string, model?: string): ElementInfo | undefined {
  const t = tracker.get(clickName);
  if (!t) return undefined;
  // Known without building the slice when the tracker has it (analysis, or the persistent index's snapshot).
  let work = t.work ?? workBySlice.get(t.slice.hash);
  if (work === undefined && t.slice.text) {
    work = estimateWork(t.slice.text);
    if (workBySlice.size > 5000) workBySlice.clear();
    workBySlice.set(t.slice.hash, work);
  }
  return {
    className: clickName,
    features: mergedFeatures(tracker, clickName, model) ?? null,
    workEstimate: work,
    file: t.info.headerFile,
    line: tracker.index.lineIndex(t.info.headerFile).position(t.info.cls.nameStart).line,
    threading: t.threading,
    confidence: t.features.confidence,
    reads: (keyword) => readsKeyword(tracker, clickName, keyword),
    positional: positionalCount(tracker, clickName),
    family: () => familyOf(tracker.index, clickName),
  };
}
