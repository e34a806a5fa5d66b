// Code-complexity comparison (paper §3.2, Appendix A): which of two elements needs more processing
// per packet. Cached per pair of slice hashes, prompt version and model.
import type { LlmClient } from './client';
import { LlmError } from './errors';
import { complexityMessages } from './prompts';
import { COMPLEXITY_SCHEMA, parseComplexityAnswer } from './schema';
import { countChatTokens } from './tokens';
import type { LlmSettings } from './types';
import type { ElementSource } from './extract';

/** Where answers are kept. The cache decides validity: an answer stands only for the same code
 *  (slice hashes), prompt version and model. */
export interface ComplexityCache {
  /** The class name of the heavier element, if a valid answer is cached. */
  get(a: ElementSource, b: ElementSource, model: string): string | undefined;
  set(a: ElementSource, b: ElementSource, model: string, heavier: string): void;
}

export type ComparisonResult = { heavier: string; cached: boolean; tokens: { prompt: number; completion: number } } | { heavier: null; skipped: string };

export async function compareComplexity(
  client: LlmClient,
  settings: LlmSettings,
  a: ElementSource,
  b: ElementSource,
  cache: ComplexityCache,
  signal?: AbortSignal,
): Promise<ComparisonResult> {
  if (a.sliceHash === b.sliceHash) return { heavier: null, skipped: 'the two elements have the same code' };
  const cached = cache.get(a, b, settings.model);
  if (cached === a.className || cached === b.className) return { heavier: cached, cached: true, tokens: { prompt: 0, completion: 0 } };
  const messages = complexityMessages({ name: a.className, slice: a.slice }, { name: b.className, slice: b.slice });
  const needed = countChatTokens(messages, settings.model);
  if (needed > settings.maxInputTokens) {
    return { heavier: null, skipped: `comparing ${a.className} with ${b.className} needs ${needed} tokens, over flowmage.llm.maxInputTokens (${settings.maxInputTokens})` };
  }
  const answer = await client.chat({ messages, format: { name: 'flowmage_complexity', schema: COMPLEXITY_SCHEMA as unknown as Record<string, unknown> }, signal });
  const parsed = parseComplexityAnswer(answer.content, a.className, b.className);
  if (!parsed.ok) throw new LlmError('invalid-answer', `complexity comparison of ${a.className} and ${b.className}: ${parsed.reason}`);
  cache.set(a, b, settings.model, parsed.value);
  return { heavier: parsed.value, cached: false, tokens: { prompt: answer.usage.promptTokens, completion: answer.usage.completionTokens } };
}
