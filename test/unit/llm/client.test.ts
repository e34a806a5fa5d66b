import * as assert from 'node:assert';
import { LlmClient } from '../../../server/src/core/llm/client';
import { LlmError } from '../../../server/src/core/llm/errors';
import { extractFeatures } from '../../../server/src/core/llm/extract';
import { compareComplexity, type ComplexityCache } from '../../../server/src/core/llm/compare';
import type { LlmSettings } from '../../../server/src/core/llm/types';
import type { Logger } from '../../../server/src/core/log';
import { FakeOpenAI, featureJson } from '../../support/fakeOpenAI';

const KEY = 'sk-test-SECRET-0123456789abcdef';

function setup(overrides: Partial<LlmSettings> = {}) {
  const fake = new FakeOpenAI();
  const lines: string[] = [];
  const log: Logger = { error: (m) => lines.push(m), warn: (m) => lines.push(m), info: (m) => lines.push(m), debug: (m) => lines.push(m) };
  const waits: number[] = [];
  let settings: LlmSettings;
  const client = () =>
    new LlmClient(
      () => settings,
      () => KEY,
      log,
      async (ms) => {
        waits.push(ms);
      },
    );
  return {
    fake,
    lines,
    waits,
    async start() {
      const baseUrl = await fake.start();
      settings = { enabled: true, baseUrl, model: 'gpt-4o', temperature: 0, samples: 1, maxInputTokens: 16000, concurrency: 2, timeoutSeconds: 5, maxRetries: 3, ...overrides };
      return { client: client(), settings };
    },
  };
}

const element = { className: 'IPolicer', slice: 'class IPolicer : public IFlowManager<PolicerState> { /* ... */ };', sliceHash: 'h-policer' };
const valid = featureJson({ stateful: true, key: ['dst_ip'], intensity: 'per-packet', objects: [{ name: '_table', key: ['dst_ip'], writes: 'per-packet', pointers: false }] });

describe('LLM client against a fake OpenAI-compatible server', function () {
  this.timeout(20_000);
  let env: ReturnType<typeof setup>;
  afterEach(async () => {
    await env.fake.stop();
    const all = env.lines.join('\n');
    assert.ok(!all.includes(KEY), 'the API key never appears in logs');
  });

  it('sends the key in the Authorization header, the JSON schema format and the prompt; parses a valid answer', async () => {
    env = setup();
    const { client, settings } = await env.start();
    env.fake.sequence({ kind: 'content', content: valid, usage: { prompt_tokens: 640, completion_tokens: 40 } });
    const r = await extractFeatures(client, settings, element);
    assert.deepStrictEqual(r.answer.flowKey, ['dst_ip']);
    assert.strictEqual(r.answer.intensity, 'per-packet');
    const req = env.fake.requests[0];
    assert.strictEqual(req.headers.authorization, `Bearer ${KEY}`);
    assert.strictEqual(req.body.response_format?.type, 'json_schema');
    assert.strictEqual(req.body.temperature, 0);
    assert.match(req.body.messages![1].content, /class IPolicer/);
    assert.ok(r.tokens.prompt > 50, 'prompt tokens are counted locally');
    assert.strictEqual(r.tokens.completion, 40);
  });

  it('repairs once after malformed JSON, then accepts', async () => {
    env = setup();
    const { client, settings } = await env.start();
    env.fake.sequence({ kind: 'content', content: '{"statefulness": "stateful", ' }, { kind: 'content', content: valid });
    const r = await extractFeatures(client, settings, element);
    assert.deepStrictEqual(r.answer.flowKey, ['dst_ip']);
    assert.strictEqual(env.fake.requests.length, 2);
    const repair = env.fake.requests[1].body.messages!;
    assert.match(repair[repair.length - 1].content, /not valid JSON/);
  });

  for (const [name, content, reason] of [
    ['JSON wrapped in prose', `Sure! Here is the answer:\n${valid}`, /not a bare JSON object/],
    ['a wrong enum value', valid.replace('per-packet', 'sometimes'), /intensity must be one of/],
    ['an extra field in the key', valid.replace('["dst_ip"]', '["dst_ip","mac"]'), /flow_key.1 must be one of/],
    ['empty content', '', /empty/],
    ['a missing field', JSON.stringify({ statefulness: 'stateful', flow_key: [] }), /missing "intensity"/],
  ] as const) {
    it(`rejects ${name} twice and reports why`, async () => {
      env = setup();
      const { client, settings } = await env.start();
      env.fake.sequence({ kind: 'content', content });
      await assert.rejects(extractFeatures(client, settings, element), (err: LlmError) => {
        assert.strictEqual(err.kind, 'invalid-answer');
        assert.match(err.message, reason);
        return true;
      });
      assert.strictEqual(env.fake.requests.length, 2, 'one repair attempt at most');
    });
  }

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    env = setup();
    const { client, settings } = await env.start();
    env.fake.sequence({ kind: 'status', status: 429, headers: { 'retry-after': '2' } }, { kind: 'content', content: valid });
    const r = await extractFeatures(client, settings, element);
    assert.deepStrictEqual(r.answer.flowKey, ['dst_ip']);
    assert.deepStrictEqual(env.waits, [2000]);
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    env = setup();
    const { client, settings } = await env.start();
    env.fake.sequence({ kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'content', content: valid });
    await extractFeatures(client, settings, element);
    assert.strictEqual(env.fake.requests.length, 3);
    assert.strictEqual(env.waits.length, 2);
    assert.ok(env.waits[1] > env.waits[0], 'backoff grows');
  });

  it('does not retry a 400 and says what the endpoint answered', async () => {
    env = setup();
    const { client, settings } = await env.start();
    env.fake.sequence({ kind: 'status', status: 404, body: { error: { message: 'model gpt-4o not found' } } });
    await assert.rejects(extractFeatures(client, settings, element), (err: LlmError) => err.kind === 'http' && /404/.test(err.message));
    assert.strictEqual(env.fake.requests.length, 1);
  });

  it('gives up after maxRetries on persistent 5xx', async () => {
    env = setup({ maxRetries: 2 });
    const { client, settings } = await env.start();
    env.fake.sequence({ kind: 'status', status: 502 });
    await assert.rejects(extractFeatures(client, settings, element), (err: LlmError) => err.kind === 'http' && err.status === 502);
    assert.strictEqual(env.fake.requests.length, 3);
  });

  it('times out when the answer never arrives', async () => {
    env = setup({ timeoutSeconds: 0.5, maxRetries: 0 });
    const { client, settings } = await env.start();
    env.fake.sequence({ kind: 'hang' });
    const t0 = Date.now();
    await assert.rejects(extractFeatures(client, settings, element), (err: LlmError) => err.kind === 'timeout' && /0.5 s/.test(err.message));
    assert.ok(Date.now() - t0 < 5000);
  });

  it('refuses a huge answer', async () => {
    env = setup();
    const { client, settings } = await env.start();
    env.fake.sequence({ kind: 'content', content: `{"statefulness": "${'x'.repeat(200_000)}"}` });
    await assert.rejects(extractFeatures(client, settings, element), (err: LlmError) => err.kind === 'too-large');
  });

  it('falls back to JSON mode when the endpoint rejects structured outputs', async () => {
    env = setup();
    const { client, settings } = await env.start();
    env.fake.script = (req) =>
      req.body.response_format?.type === 'json_schema'
        ? { kind: 'status', status: 400, body: { error: { message: 'response_format json_schema is not supported' } } }
        : { kind: 'content', content: valid };
    const r = await extractFeatures(client, settings, element);
    assert.deepStrictEqual(r.answer.flowKey, ['dst_ip']);
    assert.deepStrictEqual(
      env.fake.requests.map((q) => q.body.response_format?.type),
      ['json_schema', 'json_object'],
    );
  });

  it('majority-votes three samples per feature', async () => {
    env = setup({ samples: 3 });
    const { client, settings } = await env.start();
    const answers = [
      featureJson({ stateful: true, key: ['dst_ip'], intensity: 'per-packet' }),
      featureJson({ stateful: true, key: ['src_ip', 'dst_ip'], intensity: 'per-flow' }),
      featureJson({ stateful: true, key: ['dst_ip'], intensity: 'per-packet', pointers: true }),
    ];
    env.fake.script = (_r, i) => ({ kind: 'content', content: answers[i % 3] });
    const r = await extractFeatures(client, settings, element);
    assert.strictEqual(env.fake.requests.length, 3);
    assert.deepStrictEqual(r.answer.flowKey, ['dst_ip']);
    assert.strictEqual(r.answer.intensity, 'per-packet');
    assert.strictEqual(r.answer.pointerChasing, false);
    assert.deepStrictEqual({ ...r.votes.flowKey }, { dst_ip: 2, 'src_ip dst_ip': 1 });
  });

  it('a newer request for the same element cancels the older one', async () => {
    env = setup();
    const { client, settings } = await env.start();
    env.fake.script = (_r, i) => (i === 0 ? { kind: 'hang' } : { kind: 'content', content: valid });
    const older = extractFeatures(client, settings, element, { supersedeKey: 'IPolicer' });
    await new Promise((r) => setTimeout(r, 100));
    const newer = extractFeatures(client, settings, element, { supersedeKey: 'IPolicer' });
    await assert.rejects(older, (err: LlmError) => err.kind === 'cancelled');
    assert.deepStrictEqual((await newer).answer.flowKey, ['dst_ip']);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    env = setup({ concurrency: 2 });
    const { client, settings } = await env.start();
    env.fake.sequence({ kind: 'content', content: valid, delayMs: 60 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => extractFeatures(client, settings, { ...element, sliceHash: `h${i}` })));
    assert.strictEqual(env.fake.peakInFlight, 2);
  });

  it('refuses to send when disabled or keyless for a remote endpoint', async () => {
    env = setup({ enabled: false });
    const { client, settings } = await env.start();
    await assert.rejects(extractFeatures(client, settings, element), (err: LlmError) => err.kind === 'disabled');
    assert.strictEqual(env.fake.requests.length, 0);
  });

  it('rejects a prompt over maxInputTokens without sending it', async () => {
    env = setup({ maxInputTokens: 100 });
    const { client, settings } = await env.start();
    await assert.rejects(extractFeatures(client, settings, element), (err: LlmError) => err.kind === 'too-large');
    assert.strictEqual(env.fake.requests.length, 0);
  });

  it('compares complexity once per pair and caches the answer', async () => {
    env = setup();
    const { client, settings } = await env.start();
    env.fake.sequence({ kind: 'content', content: '{"complexity": "IPortScanDetector"}' });
    const map = new Map<string, string>();
    const key = (a: { sliceHash: string }, b: { sliceHash: string }, model: string) => `${model}|${[a.sliceHash, b.sliceHash].sort().join('|')}`;
    const cache: ComplexityCache = { get: (a, b, model) => map.get(key(a, b, model)), set: (a, b, model, heavier) => void map.set(key(a, b, model), heavier) };
    const psd = { className: 'IPortScanDetector', slice: 'class IPortScanDetector {};', sliceHash: 'h-psd' };
    const first = await compareComplexity(client, settings, psd, element, cache);
    const second = await compareComplexity(client, settings, element, psd, cache);
    assert.strictEqual(first.heavier, 'IPortScanDetector');
    assert.strictEqual(second.heavier, 'IPortScanDetector');
    assert.strictEqual(env.fake.requests.length, 1);
  });

  it('rejects a complexity answer naming neither element', async () => {
    env = setup();
    const { client, settings } = await env.start();
    env.fake.sequence({ kind: 'content', content: '{"complexity": "both"}' });
    const cache: ComplexityCache = { get: () => undefined, set: () => undefined };
    await assert.rejects(
      compareComplexity(client, settings, { ...element, className: 'A', sliceHash: 'a' }, { ...element, className: 'B', sliceHash: 'b' }, cache),
      /must be "A" or "B"/,
    );
  });
});
