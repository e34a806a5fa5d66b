// The one place FlowMage talks to an LLM. It owns timeouts, cancellation, the concurrency limit,
// retries with backoff (honouring Retry-After on 429, retrying 5xx and broken connections, never
// other 4xx), the response format, and size limits. Answers are untrusted text: callers validate.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { Logger } from '../log';
import { DEFAULT_BASE_URL, describeEndpoint, type Endpoint } from './endpoint';
import { LlmError, redact, type LlmErrorKind } from './errors';
import { Limiter } from './limiter';
import { countChatTokens } from './tokens';
import type { ChatMessage, LlmSettings, TokenUsage } from './types';

export interface JsonSchemaFormat {
  name: string;
  schema: Record<string, unknown>;
}

export interface ChatRequest {
  messages: ChatMessage[];
  format: JsonSchemaFormat;
  /** Requests with the same key supersede each other: a newer one cancels the older (e.g. one element saved twice). */
  supersedeKey?: string;
  signal?: AbortSignal;
}

export interface ChatAnswer {
  content: string;
  usage: TokenUsage;
  /** Which response format the endpoint accepted. */
  mode: 'json_schema' | 'json_object';
  attempts: number;
}

const MAX_ANSWER_CHARS = 64 * 1024;
const MAX_RETRY_AFTER_MS = 60_000;

export function isLocalEndpoint(baseUrl: string): boolean {
  return !!baseUrl.trim() && !!describeEndpoint(baseUrl)?.isLocal;
}

export class LlmClient {
  private readonly limiter: Limiter;
  private readonly inFlight = new Map<string, AbortController>();
  /** Endpoints that rejected json_schema structured outputs: use JSON mode for them. */
  private readonly jsonObjectOnly = new Set<string>();
  private sdk: OpenAI | undefined;
  private sdkKey = '';

  constructor(
    private readonly settings: () => LlmSettings,
    private readonly apiKey: () => string | undefined,
    private readonly log: Logger,
    /** Injected in tests to avoid real waiting. */
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = abortableSleep,
    /** Why the endpoint may not be used (the user has not allowed it), or undefined when it may. */
    private readonly endpointBlocked: (endpoint: Endpoint) => string | undefined = () => undefined,
  ) {
    this.limiter = new Limiter(() => this.settings().concurrency);
  }

  /** Why no request can be made right now, or undefined when one can. Trust is checked by callers. */
  unavailableReason(): string | undefined {
    return this.unavailable()?.message;
  }

  private unavailable(): { kind: LlmErrorKind; message: string } | undefined {
    const s = this.settings();
    if (!s.enabled) return { kind: 'disabled', message: 'LLM analysis is disabled (flowmage.llm.enabled)' };
    const endpoint = describeEndpoint(s.baseUrl);
    if (!endpoint) return { kind: 'endpoint-not-allowed', message: `flowmage.llm.baseUrl "${s.baseUrl}" is not an http(s) URL` };
    const blocked = this.endpointBlocked(endpoint);
    if (blocked) return { kind: 'endpoint-not-allowed', message: blocked };
    if (!this.apiKey() && !endpoint.isLocal) return { kind: 'no-key', message: 'no API key is set (FlowMage: Set API Key, or OPENAI_API_KEY for the CLI)' };
    return undefined;
  }

  private client(): OpenAI {
    const s = this.settings();
    const key = this.apiKey() || 'no-key';
    const signature = `${s.baseUrl}\u0000${key}\u0000${s.timeoutSeconds}`;
    if (!this.sdk || this.sdkKey !== signature) {
      this.sdk = new OpenAI({
        apiKey: key,
        // Always explicit: left undefined, the SDK would silently use OPENAI_BASE_URL.
        baseURL: describeEndpoint(s.baseUrl)?.url ?? DEFAULT_BASE_URL,
        maxRetries: 0, // retries are ours: the SDK would also retry 408/409, which we do not want
        timeout: s.timeoutSeconds * 1000,
      });
      this.sdkKey = signature;
    }
    return this.sdk;
  }

  async chat(request: ChatRequest): Promise<ChatAnswer> {
    const unavailable = this.unavailable();
    if (unavailable) throw new LlmError(unavailable.kind, unavailable.message);
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(new LlmError('cancelled', 'cancelled'));
    request.signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (request.supersedeKey) {
      this.inFlight.get(request.supersedeKey)?.abort(new LlmError('cancelled', 'superseded by a newer request for the same element'));
      this.inFlight.set(request.supersedeKey, controller);
    }
    try {
      return await this.limiter.run(() => this.withRetries(request, controller.signal), controller.signal);
    } catch (err) {
      if (controller.signal.aborted) throw controller.signal.reason instanceof LlmError ? controller.signal.reason : new LlmError('cancelled', 'cancelled');
      throw err;
    } finally {
      request.signal?.removeEventListener('abort', onOuterAbort);
      if (request.supersedeKey && this.inFlight.get(request.supersedeKey) === controller) this.inFlight.delete(request.supersedeKey);
    }
  }

  private async withRetries(request: ChatRequest, signal: AbortSignal): Promise<ChatAnswer> {
    const s = this.settings();
    const promptTokens = countChatTokens(request.messages, s.model);
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw signal.reason;
      try {
        const answer = await this.once(request, signal);
        return { ...answer, usage: { ...answer.usage, promptTokens }, attempts: attempt + 1 };
      } catch (err) {
        const failure = this.classify(err, s.timeoutSeconds);
        const retryable = failure.kind === 'rate-limited' || failure.kind === 'connection' || (failure.kind === 'http' && (failure.status ?? 0) >= 500);
        if (!retryable || attempt >= s.maxRetries) throw failure;
        const delay = failure.kind === 'rate-limited' ? (retryAfterMs(err) ?? backoffMs(attempt)) : backoffMs(attempt);
        if (delay > MAX_RETRY_AFTER_MS) throw new LlmError('rate-limited', `the endpoint asked to wait ${Math.round(delay / 1000)} s before retrying; giving up`, 429);
        this.log.info(`LLM request failed (${failure.message}); retry ${attempt + 1}/${s.maxRetries} in ${delay} ms`);
        await this.sleep(delay, signal);
      }
    }
  }

  private async once(request: ChatRequest, signal: AbortSignal): Promise<Omit<ChatAnswer, 'attempts'>> {
    const s = this.settings();
    const endpoint = s.baseUrl || 'openai';
    const useSchema = !this.jsonObjectOnly.has(endpoint);
    const body = {
      model: s.model,
      temperature: s.temperature,
      messages: request.messages,
      response_format: useSchema
        ? ({ type: 'json_schema', json_schema: { name: request.format.name, schema: request.format.schema, strict: true } } as const)
        : ({ type: 'json_object' } as const),
    };
    let completion;
    try {
      completion = await this.client().chat.completions.create(body, { signal });
    } catch (err) {
      if (useSchema && err instanceof APIError && err.status === 400 && /response_format|json_schema|structured/i.test(String(err.message))) {
        this.log.info(`${endpoint} does not accept JSON-schema structured outputs; using JSON mode and validating the answer`);
        this.jsonObjectOnly.add(endpoint);
        return this.once(request, signal);
      }
      throw err;
    }
    const content = completion.choices?.[0]?.message?.content ?? '';
    if (content.length > MAX_ANSWER_CHARS) throw new LlmError('too-large', `the answer is ${content.length} characters long; at most ${MAX_ANSWER_CHARS} are accepted`);
    const usage = completion.usage;
    return {
      content,
      mode: useSchema ? 'json_schema' : 'json_object',
      usage: {
        promptTokens: 0,
        completionTokens: usage?.completion_tokens ?? countChatTokens([{ role: 'assistant', content }], s.model) - 6,
        reportedPromptTokens: usage?.prompt_tokens,
      },
    };
  }

  private classify(err: unknown, timeoutSeconds: number): LlmError {
    const key = this.apiKey();
    if (err instanceof LlmError) return new LlmError(err.kind, redact(err.message, key), err.status);
    if (err instanceof APIUserAbortError) return new LlmError('cancelled', 'cancelled');
    if (err instanceof APIConnectionTimeoutError) return new LlmError('timeout', `no answer within ${timeoutSeconds} s (flowmage.llm.timeoutSeconds)`);
    if (err instanceof APIConnectionError) return new LlmError('connection', redact(`cannot reach the endpoint: ${err.message}`, key));
    if (err instanceof APIError) {
      const status = err.status ?? 0;
      const detail = redact(String(err.message ?? ''), key).slice(0, 300);
      if (status === 429) return new LlmError('rate-limited', `rate limited (HTTP 429): ${detail}`, 429);
      if (status === 401 || status === 403) return new LlmError('http', `the endpoint refused the API key (HTTP ${status})`, status);
      return new LlmError('http', `HTTP ${status}: ${detail}`, status);
    }
    return new LlmError('connection', redact(err instanceof Error ? err.message : String(err), key));
  }
}

/** Exponential backoff with a little jitter: 0.5 s, 1 s, 2 s, ... capped at 8 s. */
export function backoffMs(attempt: number): number {
  return Math.min(8000, 500 * 2 ** attempt) + Math.floor(Math.random() * 100);
}

/** Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date) from an API error. */
export function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof APIError) || !err.headers) return undefined;
  const headers = err.headers as Headers;
  const ms = Number(headers.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
