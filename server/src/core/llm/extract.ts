// Asks the LLM for an element's features: `samples` answers, each validated (with at most one
// repair round), then a majority vote per feature as FlowMage does over repeated runs.
import { normalizeKey, type FeatureName, type FlowField, type Intensity } from '../analysis/features';
import type { LlmClient } from './client';
import { LlmError } from './errors';
import { FEATURE_PROMPT_VERSION, featureMessages, repairMessage } from './prompts';
import { FEATURE_SCHEMA, parseFeatureAnswer } from './schema';
import { countChatTokens } from './tokens';
import type { ChatMessage, LlmFeatureAnswer, LlmSettings } from './types';
import { dict } from '../dict';

export interface ElementSource {
  className: string;
  slice: string;
  sliceHash: string;
}

export interface LlmExtraction {
  answer: LlmFeatureAnswer;
  model: string;
  promptVersion: string;
  sliceHash: string;
  samples: number;
  validSamples: number;
  /** Per feature, how the valid samples voted, e.g. { flowKey: { 'src_ip': 2, 'src_ip dst_ip': 1 } }. */
  votes: Record<FeatureName, Record<string, number>>;
  /** Summed over every request made (samples and repairs). */
  tokens: { prompt: number; completion: number };
  /** Why samples were rejected, if any were. */
  rejected: string[];
}

export interface ExtractOptions {
  signal?: AbortSignal;
  /** Cancels an older extraction of the same element when a newer one starts. */
  supersedeKey?: string;
}

export async function extractFeatures(client: LlmClient, settings: LlmSettings, element: ElementSource, options: ExtractOptions = {}): Promise<LlmExtraction> {
  const messages = featureMessages(element.className, element.slice);
  const promptTokens = countChatTokens(messages, settings.model);
  if (promptTokens > settings.maxInputTokens) {
    throw new LlmError('too-large', `${element.className}'s prompt needs ${promptTokens} tokens, more than flowmage.llm.maxInputTokens (${settings.maxInputTokens})`);
  }
  const samples = Math.max(1, Math.floor(settings.samples));
  const tokens = { prompt: 0, completion: 0 };
  const rejected: string[] = [];
  const results = await Promise.allSettled(
    Array.from({ length: samples }, (_, i) => oneSample(client, messages, tokens, { ...options, supersedeKey: options.supersedeKey && `${options.supersedeKey}#${i}` })),
  );
  const answers: LlmFeatureAnswer[] = [];
  let failure: LlmError | undefined;
  for (const r of results) {
    if (r.status === 'fulfilled') {
      answers.push(r.value);
      continue;
    }
    if (r.reason instanceof LlmError && r.reason.kind === 'cancelled') throw r.reason;
    if (r.reason instanceof LlmError && r.reason.kind !== 'invalid-answer') failure ??= r.reason;
    rejected.push(r.reason instanceof Error ? r.reason.message : String(r.reason));
  }
  if (answers.length === 0) {
    // A transport failure (timeout, HTTP error) says more than "no valid answer".
    throw failure ?? new LlmError('invalid-answer', `no valid answer from ${settings.model} for ${element.className}: ${rejected.join(' | ')}`);
  }
  const { answer, votes } = vote(answers);
  return { answer, model: settings.model, promptVersion: FEATURE_PROMPT_VERSION, sliceHash: element.sliceHash, samples, validSamples: answers.length, votes, tokens, rejected };
}

async function oneSample(client: LlmClient, messages: ChatMessage[], tokens: { prompt: number; completion: number }, options: ExtractOptions): Promise<LlmFeatureAnswer> {
  const format = { name: 'flowmage_features', schema: FEATURE_SCHEMA as unknown as Record<string, unknown> };
  const first = await client.chat({ messages, format, signal: options.signal, supersedeKey: options.supersedeKey });
  tokens.prompt += first.usage.promptTokens;
  tokens.completion += first.usage.completionTokens;
  const parsed = parseFeatureAnswer(first.content);
  if (parsed.ok) return parsed.value;
  // One repair round: show the model its answer and why it was rejected.
  const retry = await client.chat({
    messages: [...messages, { role: 'assistant', content: first.content.slice(0, 4000) }, repairMessage(parsed.reason)],
    format,
    signal: options.signal,
    supersedeKey: options.supersedeKey,
  });
  tokens.prompt += retry.usage.promptTokens;
  tokens.completion += retry.usage.completionTokens;
  const repaired = parseFeatureAnswer(retry.content);
  if (repaired.ok) return repaired.value;
  throw new LlmError('invalid-answer', `rejected twice: ${parsed.reason}; then ${repaired.reason}`);
}

function count<T extends string>(values: T[]): Record<string, number> {
  const out: Record<string, number> = dict();
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** The most common value; on a tie, `tieBreak` chooses among the tied values. */
function majority<T>(values: T[], keyOf: (v: T) => string, tieBreak: (tied: T[]) => T): T {
  const tally = new Map<string, { v: T; n: number }>();
  for (const v of values) {
    const k = keyOf(v);
    const cur = tally.get(k);
    if (cur) cur.n++;
    else tally.set(k, { v, n: 1 });
  }
  const max = Math.max(...[...tally.values()].map((t) => t.n));
  const tied = [...tally.values()].filter((t) => t.n === max).map((t) => t.v);
  return tied.length === 1 ? tied[0] : tieBreak(tied);
}

/** Majority per feature. Ties resolve toward the safe side: stateful, the intersection of the tied
 *  keys (never a wider key), per-packet, pointer chasing. */
export function vote(answers: LlmFeatureAnswer[]): { answer: LlmFeatureAnswer; votes: LlmExtraction['votes'] } {
  const stateful = majority(
    answers.map((a) => a.stateful),
    String,
    () => true,
  );
  const relevant = answers.filter((a) => a.stateful === stateful);
  const keyText = (k: FlowField[]) => k.join(' ') || '(none)';
  const flowKey = stateful
    ? majority(
        relevant.map((a) => a.flowKey),
        keyText,
        (tied) => normalizeKey(tied.reduce((acc, k) => acc.filter((f) => k.includes(f)))),
      )
    : [];
  const intensity: Intensity | null = stateful
    ? majority(
        relevant.map((a) => a.intensity ?? 'per-packet'),
        String,
        () => 'per-packet' as Intensity,
      )
    : null;
  const pointerChasing = stateful
    ? majority(
        relevant.map((a) => a.pointerChasing),
        String,
        () => true,
      )
    : false;
  const exemplar = relevant.find((a) => keyText(a.flowKey) === keyText(flowKey)) ?? relevant[0];
  return {
    answer: { stateful, flowKey, intensity, pointerChasing, stateObjects: exemplar?.stateObjects ?? [] },
    votes: {
      stateful: count(answers.map((a) => (a.stateful ? 'stateful' : 'stateless'))),
      flowKey: count(relevant.map((a) => keyText(a.flowKey))),
      intensity: count(relevant.map((a) => a.intensity ?? 'none')),
      pointerChasing: count(relevant.map((a) => String(a.pointerChasing))),
    },
  };
}
