// Code-complexity comparison (paper §3.2, Appendix A): which of two elements needs more processing
// per packet. Cached per pair of slice hashes, prompt version and model.
import type { LlmClient } from './client';
import { LlmError } from './errors';
import { COMPLEXITY_PROMPT_VERSION, complexityMessages } from './prompts';
import { COMPLEXITY_SCHEMA, parseComplexityAnswer } from './schema';
import { countChatTokens } from './tokens';
import type { LlmSettings } from './types';
import type { ElementSource } from './extract';

export interface ComplexityCache {
  get(key: string): string | undefined;
  set(key: string, heavierSliceHash: string): void;
}

export function complexityCacheKey(model: string, a: ElementSource, b: ElementSource): string {
  const [x, y] = [a.sliceHash, b.sliceHash].sort();
  return `${COMPLEXITY_PROMPT_VERSION}|${model}|${x}|${y}`;
}

export type ComparisonResult =
  | { heavier: string; cached: boolean; tokens: { prompt: number; completion: number } }
  | { heavier: null; skipped: string };

export async function compareComplexity(
  client: LlmClient,
  settings: LlmSettings,
  a: ElementSource,
  b: ElementSource,
  cache: ComplexityCache,
  signal?: AbortSignal,
): Promise<ComparisonResult> {
  if (a.sliceHash === b.sliceHash) return { heavier: null, skipped: 'the two elements have the same code' };
  const key = complexityCacheKey(settings.model, a, b);
  const cached = cache.get(key);
  if (cached === a.sliceHash || cached === b.sliceHash) {
    return { heavier: cached === a.sliceHash ? a.className : b.className, cached: true, tokens: { prompt: 0, completion: 0 } };
  }
  const messages = complexityMessages({ name: a.className, slice: a.slice }, { name: b.className, slice: b.slice });
  const needed = countChatTokens(messages, settings.model);
  if (needed > settings.maxInputTokens) {
    return { heavier: null, skipped: `comparing ${a.className} with ${b.className} needs ${needed} tokens, over flowmage.llm.maxInputTokens (${settings.maxInputTokens})` };
  }
  const answer = await client.chat({ messages, format: { name: 'flowmage_complexity', schema: COMPLEXITY_SCHEMA as unknown as Record<string, unknown> }, signal });
  const parsed = parseComplexityAnswer(answer.content, a.className, b.className);
  if (!parsed.ok) throw new LlmError('invalid-answer', `complexity comparison of ${a.className} and ${b.className}: ${parsed.reason}`);
  cache.set(key, parsed.value === a.className ? a.sliceHash : b.sliceHash);
  return { heavier: parsed.value, cached: false, tokens: { prompt: answer.usage.promptTokens, completion: answer.usage.completionTokens } };
}
