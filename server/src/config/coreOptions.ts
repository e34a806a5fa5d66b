// Settings → the typed option objects the core takes, in one place for the language server and the
// CLI. The core never sees setting ids; a setting reaches it only through these functions.
import type { AnalyzeOptions, ElementInfo } from '../core/chains/analyzeConfig';
import type { LlmSettings } from '../core/llm/types';
import type { Settings } from '../core/settings';

export function analyzeOptions(
  settings: Pick<Settings, 'solver' | 'rewrite'>,
  lookup: (className: string) => ElementInfo | undefined,
  compareComplexity?: AnalyzeOptions['compareComplexity'],
): AnalyzeOptions {
  const { solver, rewrite } = settings;
  return {
    lookup,
    nicProfile: solver.nicProfile,
    customFieldSets: solver.customFieldSets,
    customNicProfile: solver.customNicProfile,
    weights: { ...solver.weights },
    imbalanceWeight: solver.imbalanceWeight,
    maxImbalance: solver.maxImbalance,
    rssParameter: rewrite.rssParameter.trim(),
    sharedParameter: rewrite.sharedParameter.trim(),
    compareComplexity,
    swapClasses: rewrite.swapClasses,
    target: rewrite.target,
  };
}

export function llmSettings(settings: Pick<Settings, 'llm'>): LlmSettings {
  const s = settings.llm;
  return {
    enabled: s.enabled,
    baseUrl: s.baseUrl.trim(),
    model: s.model.trim(),
    temperature: s.temperature,
    samples: s.samples,
    maxInputTokens: s.maxInputTokens,
    concurrency: s.concurrency,
    timeoutSeconds: s.timeoutSeconds,
    maxRetries: s.maxRetries,
  };
}

/** The element index's limits. */
export function indexOptions(settings: Pick<Settings, 'index'>): { maxFileBytes: number } {
  return { maxFileBytes: settings.index.maxFileSizeKB * 1024 };
}
