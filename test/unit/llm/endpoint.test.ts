// Issue 13, item 4: where LLM requests go and when the user must agree first. Workspace settings
// (a cloned repository) and OPENAI_BASE_URL can name any host; they must not silently receive
// element code and the API key.
import * as assert from 'node:assert';
import { isLocalEndpoint, LlmClient } from '../../../server/src/core/llm/client';
import { DEFAULT_BASE_URL, describeEndpoint, endpointConsent, llmTargetText, settingSource, type EndpointSource } from '../../../server/src/core/llm/endpoint';
import { LlmError } from '../../../server/src/core/llm/errors';
import type { LlmSettings } from '../../../server/src/core/llm/types';
import type { Logger } from '../../../server/src/core/log';
import { FakeOpenAI, featureJson } from '../../support/fakeOpenAI';

const KEY = 'sk-test-ENDPOINT-0123456789abcdef';
const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

describe('LLM endpoint consent (issue 13, item 4)', () => {
  it('reads an empty setting as OpenAI, and knows local hosts', () => {
    assert.deepStrictEqual(describeEndpoint(''), { url: DEFAULT_BASE_URL, origin: 'https://api.openai.com', host: 'api.openai.com', isDefault: true, isLocal: false });
    assert.strictEqual(describeEndpoint('  ')?.isDefault, true);
    for (const local of ['http://localhost:11434/v1', 'http://127.0.0.1:8000/v1', 'http://127.1.2.3/v1', 'http://[::1]:8080/v1'])
      assert.strictEqual(describeEndpoint(local)?.isLocal, true, local);
    for (const remote of ['https://127.attacker.example/v1', 'https://localhost.attacker.example/v1', 'http://192.0.2.1/v1', 'https://api.openai.com.attacker.example/v1']) {
      assert.strictEqual(describeEndpoint(remote)?.isLocal, false, remote);
      assert.strictEqual(describeEndpoint(remote)?.isDefault, false, remote);
      assert.strictEqual(isLocalEndpoint(remote), false, remote);
    }
    assert.strictEqual(describeEndpoint('https://evil.example:8443/v1')?.host, 'evil.example:8443');
    for (const bad of ['not a url', 'file:///etc/passwd', 'ftp://evil.example/']) assert.strictEqual(describeEndpoint(bad), undefined, bad);
  });

  it("tells where a setting comes from, from VS Code's inspect()", () => {
    assert.strictEqual(settingSource(undefined), 'default');
    assert.strictEqual(settingSource({}), 'default');
    assert.strictEqual(settingSource({ globalValue: 'https://mine.example/v1' }), 'user');
    assert.strictEqual(settingSource({ globalValue: 'https://mine.example/v1', workspaceValue: 'https://evil.example/v1' }), 'workspace');
    assert.strictEqual(settingSource({ workspaceFolderValue: 'https://evil.example/v1' }), 'workspace');
    assert.strictEqual(settingSource({ globalValue: 'https://mine.example/v1', workspaceLanguageValue: 'https://evil.example/v1' }), 'workspace');
  });

  it('allows the default, local and user endpoints; asks for workspace and environment ones until answered', () => {
    const table: Array<[EndpointSource, string, Record<string, boolean>, string]> = [
      ['default', '', {}, 'allow'],
      ['workspace', '', {}, 'allow'],
      ['workspace', 'https://api.openai.com/v1', {}, 'allow'],
      ['workspace', 'http://localhost:11434/v1', {}, 'allow'],
      ['user', 'https://mine.example/v1', {}, 'allow'],
      ['workspace', 'https://evil.example/v1', {}, 'ask'],
      ['environment', 'https://evil.example/v1', {}, 'ask'],
      ['workspace', 'https://evil.example/v1', { 'https://evil.example': true }, 'allow'],
      ['workspace', 'https://evil.example/other/path', { 'https://evil.example': false }, 'deny'],
      // Remembered per origin: another port or scheme is another endpoint.
      ['workspace', 'https://evil.example:8443/v1', { 'https://evil.example': true }, 'ask'],
      ['workspace', 'http://evil.example/v1', { 'https://evil.example': true }, 'ask'],
      ['workspace', 'https://__proto__/v1', {}, 'ask'],
      ['workspace', 'javascript:alert(1)', {}, 'deny'],
    ];
    for (const [source, url, remembered, expected] of table) {
      assert.strictEqual(endpointConsent(source, url, remembered).decision, expected, `${source} ${url} ${JSON.stringify(remembered)}`);
    }
  });

  it('names the host in the status and log line, and why nothing is sent', () => {
    assert.strictEqual(llmTargetText('gpt-4o', endpointConsent('default', '', {})), 'LLM gpt-4o at api.openai.com');
    assert.strictEqual(
      llmTargetText('gpt-4o', endpointConsent('workspace', 'https://evil.example/v1', {})),
      'LLM gpt-4o: nothing is sent to evil.example (set by the workspace settings) until you allow it',
    );
    assert.match(
      llmTargetText('m', endpointConsent('workspace', 'https://evil.example/v1', { 'https://evil.example': false })),
      /nothing is sent to evil\.example \(set by the workspace settings; you declined/,
    );
    assert.match(llmTargetText('m', endpointConsent('workspace', 'nope', {})), /not an http\(s\) URL; nothing is sent/);
  });
});

describe('LLM client endpoint (issue 13, item 4)', function () {
  this.timeout(20_000);
  const settings = (baseUrl: string): LlmSettings => ({
    enabled: true,
    baseUrl,
    model: 'gpt-4o',
    temperature: 0,
    samples: 1,
    maxInputTokens: 16000,
    concurrency: 1,
    timeoutSeconds: 2,
    maxRetries: 0,
  });
  const ask = (client: LlmClient) => client.chat({ messages: [{ role: 'user', content: 'hi' }], format: { name: 'x', schema: { type: 'object' } } });
  let redirect: FakeOpenAI;
  let saved: string | undefined;

  beforeEach(async () => {
    redirect = new FakeOpenAI();
    redirect.sequence({ kind: 'content', content: featureJson({ stateful: false }) });
    saved = process.env.OPENAI_BASE_URL;
    process.env.OPENAI_BASE_URL = await redirect.start();
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.OPENAI_BASE_URL;
    else process.env.OPENAI_BASE_URL = saved;
    await redirect.stop();
  });

  it('sends to the configured endpoint, not to OPENAI_BASE_URL', async () => {
    const configured = new FakeOpenAI();
    configured.sequence({ kind: 'content', content: '{}' });
    try {
      const url = await configured.start();
      await ask(
        new LlmClient(
          () => settings(url),
          () => KEY,
          quiet,
        ),
      );
      assert.strictEqual(configured.requests.length, 1);
      assert.strictEqual(redirect.requests.length, 0);
    } finally {
      await configured.stop();
    }
  });

  it('with an empty baseUrl goes to OpenAI, never to OPENAI_BASE_URL', async () => {
    // api.openai.com is unreachable here: the request fails, and the redirect must see nothing.
    await ask(
      new LlmClient(
        () => settings(''),
        () => KEY,
        quiet,
      ),
    ).catch(() => undefined);
    assert.strictEqual(redirect.requests.length, 0, 'OPENAI_BASE_URL received the request (and the key)');
  });

  it('sends nothing to an endpoint that is not allowed, and says why', async () => {
    const blocked = new LlmClient(
      () => settings(process.env.OPENAI_BASE_URL!),
      () => KEY,
      quiet,
      undefined,
      (e) => `not allowed: ${e.host}`,
    );
    await assert.rejects(ask(blocked), (err: LlmError) => err.kind === 'endpoint-not-allowed' && /not allowed: 127\.0\.0\.1:\d+/.test(err.message));
    assert.strictEqual(redirect.requests.length, 0);
  });
});
