// Runs the LLM over indexed elements and keeps its answers in the feature store, beside the static
// analysis: which elements still lack an answer for their current slice, prompt version and model;
// extracting one or many (with progress and cancellation); and the complexity comparator the
// solver uses to break ties. Shared by the language server and the CLI.
import type { FeatureTracker, TrackedElement } from '../analysis/featureTracker';
import type { Logger } from '../log';
import type { LlmClient } from './client';
import type { FeatureStore } from '../store/featureStore';
import { compareComplexity, type ComplexityCache } from './compare';
import { LlmError } from './errors';
import { extractFeatures, type ElementSource, type LlmExtraction } from './extract';
import { COMPLEXITY_PROMPT_VERSION, FEATURE_PROMPT_VERSION } from './prompts';
import type { LlmSettings } from './types';

export interface ExtractManyResult {
  extracted: string[];
  failed: Array<{ name: string; error: string }>;
  skipped: string[];
  cancelled: boolean;
  tokens: { prompt: number; completion: number };
}

export function sourceOf(t: TrackedElement): ElementSource {
  return { className: t.info.clickName, slice: t.slice.text, sliceHash: t.slice.hash };
}

export class LlmAnalyzer {
  constructor(
    private readonly tracker: () => FeatureTracker | undefined,
    readonly client: LlmClient,
    private readonly settings: () => LlmSettings,
    private readonly log: Logger,
  ) {}

  private provenance(): `llm:${string}` {
    return `llm:${this.settings().model}`;
  }

  /** Whether the element has an answer for its current slice under the current prompt and model. */
  hasAnswer(name: string): boolean {
    const t = this.tracker();
    const el = t?.get(name);
    if (!t || !el) return false;
    const rec = t.store.source(name, this.provenance());
    return !!rec && rec.sliceHash === el.slice.hash && rec.promptVersion === FEATURE_PROMPT_VERSION;
  }

  /** Indexed elements (of `names`, or all) that have a slice and no current answer. */
  missing(names?: Iterable<string>): string[] {
    const t = this.tracker();
    if (!t) return [];
    const pool = names ? [...new Set(names)].map((n) => t.get(n)).filter((x): x is TrackedElement => !!x) : t.all();
    return pool.filter((el) => !el.error && el.slice.text && !this.hasAnswer(el.info.clickName)).map((el) => el.info.clickName);
  }

  async extract(name: string, signal?: AbortSignal): Promise<LlmExtraction> {
    const t = this.tracker();
    const el = t?.get(name);
    if (!t || !el) throw new LlmError('invalid-answer', `${name} is not in the element index`);
    const settings = this.settings();
    const result = await extractFeatures(this.client, settings, sourceOf(el), { signal, supersedeKey: name });
    // The slice may have changed while we waited: store nothing for a slice that is gone.
    const now = t.get(name);
    if (!now || now.slice.hash !== result.sliceHash) throw new LlmError('cancelled', `${name} changed while the LLM was answering`);
    const a = result.answer;
    t.store.put(name, { className: now.info.className, files: now.files, sliceHash: now.slice.hash, sliceChars: now.slice.chars }, this.provenance(), {
      features: { stateful: a.stateful, flowKey: a.flowKey, intensity: a.intensity, pointerChasing: a.pointerChasing },
      llmStateObjects: a.stateObjects,
      analyzedAt: new Date().toISOString(),
      sliceHash: result.sliceHash,
      model: settings.model,
      promptVersion: FEATURE_PROMPT_VERSION,
      promptTokens: result.tokens.prompt,
      completionTokens: result.tokens.completion,
      samples: result.samples,
      validSamples: result.validSamples,
      votes: result.votes,
      ...(result.rejected.length ? { rejected: result.rejected } : {}),
    });
    this.log.info(
      `LLM ${settings.model} on ${name}: ${a.stateful ? `stateful, key ${a.flowKey.join(' ') || '(none)'}, ${a.intensity}` : 'stateless'} ` +
        `(${result.tokens.prompt} prompt + ${result.tokens.completion} completion tokens, ${result.validSamples}/${result.samples} valid samples)`,
    );
    return result;
  }

  async extractMany(names: readonly string[], options: { signal?: AbortSignal; onProgress?(done: number, total: number, name: string): void } = {}): Promise<ExtractManyResult> {
    const out: ExtractManyResult = { extracted: [], failed: [], skipped: [], cancelled: false, tokens: { prompt: 0, completion: 0 } };
    let done = 0;
    await Promise.all(
      names.map(async (name) => {
        try {
          if (options.signal?.aborted) throw new LlmError('cancelled', 'cancelled');
          const r = await this.extract(name, options.signal);
          out.extracted.push(name);
          out.tokens.prompt += r.tokens.prompt;
          out.tokens.completion += r.tokens.completion;
        } catch (err) {
          if (err instanceof LlmError && err.kind === 'cancelled') out.cancelled ||= !!options.signal?.aborted;
          else if (err instanceof LlmError && err.kind === 'too-large') out.skipped.push(`${name}: ${err.message}`);
          else out.failed.push({ name, error: err instanceof Error ? err.message : String(err) });
        } finally {
          options.onProgress?.(++done, names.length, name);
        }
      }),
    );
    return out;
  }

  /**
   * The tie-break as requests use it: answers already in the store only, never the network. A
   * pair with no valid answer is handed to `onMiss` (the server asks in the background and
   * publishes the answer) and ordered by the static estimate meanwhile.
   */
  cachedComparator(onMiss: (a: string, b: string) => void): (a: string, b: string) => Promise<string | null> {
    return async (a, b) => {
      const t = this.tracker();
      const ea = t?.get(a);
      const eb = t?.get(b);
      if (!t || !ea || !eb || ea.slice.hash === eb.slice.hash) return null;
      const cached = storeComplexityCache(t.store).get(sourceOf(ea), sourceOf(eb), this.settings().model);
      if (cached === a || cached === b) return cached;
      onMiss(a, b);
      return null;
    };
  }

  /** Asks the LLM to compare one pair (a background job); true when an answer was stored. */
  async comparePair(a: string, b: string, signal?: AbortSignal): Promise<boolean> {
    const t = this.tracker();
    const ea = t?.get(a);
    const eb = t?.get(b);
    if (!t || !ea || !eb) return false;
    try {
      const r = await compareComplexity(this.client, this.settings(), sourceOf(ea), sourceOf(eb), storeComplexityCache(t.store), signal);
      if (r.heavier === null) this.log.info(`complexity comparison skipped: ${r.skipped}`);
      return r.heavier !== null && !('cached' in r && r.cached);
    } catch (err) {
      this.log.warn(`complexity comparison of ${a} and ${b} failed: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  /** The solver's tie-break: which class needs more processing per packet, cached in the store. */
  comparator(signal?: AbortSignal): (a: string, b: string) => Promise<string | null> {
    return async (a, b) => {
      const t = this.tracker();
      const ea = t?.get(a);
      const eb = t?.get(b);
      if (!t || !ea || !eb) return null;
      const settings = this.settings();
      try {
        const r = await compareComplexity(this.client, settings, sourceOf(ea), sourceOf(eb), storeComplexityCache(t.store), signal);
        if (r.heavier === null) this.log.info(`complexity comparison skipped: ${r.skipped}`);
        return r.heavier;
      } catch (err) {
        this.log.warn(`complexity comparison of ${a} and ${b} failed: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }
    };
  }
}

/** Complexity answers kept in the feature store, valid for the same slices, prompt version and model. */
function storeComplexityCache(store: FeatureStore): ComplexityCache {
  return {
    get(a, b, model) {
      const rec = store.comparison(model, a.className, b.className);
      if (!rec || rec.promptVersion !== COMPLEXITY_PROMPT_VERSION) return undefined;
      const [first, second] = rec.a === a.className ? [a, b] : [b, a];
      if (rec.sliceHashes[0] !== first.sliceHash || rec.sliceHashes[1] !== second.sliceHash) return undefined;
      return rec.moreComplex;
    },
    set(a, b, model, heavier) {
      store.putComparison({
        a: a.className,
        b: b.className,
        model,
        moreComplex: heavier,
        sliceHashes: [a.sliceHash, b.sliceHash],
        promptVersion: COMPLEXITY_PROMPT_VERSION,
        at: new Date().toISOString(),
      });
    },
  };
}
