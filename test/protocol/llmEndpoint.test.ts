// Issue 13, item 4 over LSP: OPENAI_BASE_URL in the server's environment must not redirect requests
// (an empty flowmage.llm.baseUrl means OpenAI), an endpoint the user has not allowed receives
// nothing until the client says so, and the log and status name the host requests go to.
import * as assert from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FakeOpenAI, featureJson } from '../support/fakeOpenAI';
import { ROOT, startServer, waitFor, type TestClient } from './lspClient';
import { AnalyzeElementsRequest, LlmEndpointConsentNotification, StatusRequest } from '../../server/src/protocol';

const KEY = 'sk-protocol-ENDPOINT-9f8e7d6c5b4a';

/** An address of this machine that is not loopback: it stands in for a remote endpoint. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

describe('LLM endpoint over LSP (issue 13, item 4)', function () {
  this.timeout(60_000);
  let dir: string;
  let client: TestClient | undefined;
  const fakes: FakeOpenAI[] = [];

  const fake = async (host?: string) => {
    const f = new FakeOpenAI();
    f.sequence({ kind: 'content', content: featureJson({ stateful: false }) });
    fakes.push(f);
    await f.start(host);
    return f;
  };

  const openPaper = async (c: TestClient) => {
    const uri = pathToFileURL(join(dir, 'paper-chain.click')).href;
    await c.open(uri, readFileSync(join(dir, 'paper-chain.click'), 'utf8'));
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-endpoint-'));
    cpSync(join(ROOT, 'examples'), dir, { recursive: true });
  });

  afterEach(async () => {
    if (client) {
      const everything = [...client.logs, ...client.stderr, ...client.messages.map((m) => m.message)].join('\n');
      assert.ok(!everything.includes(KEY), 'the key never appears in logs');
      await client.shutdown();
    }
    client = undefined;
    for (const f of fakes.splice(0)) await f.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ignores OPENAI_BASE_URL in its environment: an empty baseUrl means OpenAI, and the log says so', async () => {
    const redirect = await fake();
    client = await startServer({
      workspaceFolder: dir,
      settings: { llm: { enabled: true, baseUrl: '', model: 'fake-4', timeoutSeconds: 2, maxRetries: 0 } },
      env: { FLOWMAGE_LLM_API_KEY: KEY, OPENAI_BASE_URL: redirect.baseUrl },
      initializationOptions: { trusted: true, allowedLlmOrigins: [] },
    });
    await openPaper(client);
    await waitFor('a request logged as going to api.openai.com', () => client!.logs.find((l) => /asking fake-4 at api\.openai\.com about \d+ element/.test(l)));
    const status = await client.connection.sendRequest(StatusRequest.type);
    assert.strictEqual(status.llm?.endpoint, 'api.openai.com');
    // api.openai.com cannot be reached here; whatever happens, the redirect must receive nothing.
    await new Promise((r) => setTimeout(r, 2000));
    assert.strictEqual(redirect.requests.length, 0, 'OPENAI_BASE_URL received requests (with the key)');
  });

  it('sends nothing to an endpoint the user has not allowed, says why, and sends once allowed', async function () {
    const address = externalAddress();
    if (!address) this.skip();
    const remote = await fake(address);
    const origin = new URL(remote.baseUrl).origin;
    const host = new URL(remote.baseUrl).host;
    client = await startServer({
      workspaceFolder: dir,
      settings: { llm: { enabled: true, baseUrl: remote.baseUrl, model: 'fake-4', timeoutSeconds: 5 } },
      env: { FLOWMAGE_LLM_API_KEY: KEY },
      initializationOptions: { trusted: true, allowedLlmOrigins: [] },
    });
    await openPaper(client);
    const said = await waitFor('the reason in the log', () => client!.logs.find((l) => l.includes(`not allowed FlowMage to send element code and your API key to ${host}`)));
    assert.match(said, /FlowMage runs on static analysis alone/);
    const status = await client.connection.sendRequest(StatusRequest.type);
    assert.strictEqual(status.llm?.endpoint, host);
    assert.match(status.llm?.blocked ?? '', new RegExp(`to ${host.replace(/\./g, '\\.')}`));
    assert.ok(
      client.messages.some((m) => m.message.includes(host)),
      'the user is told too',
    );
    await client.connection.sendRequest(AnalyzeElementsRequest.type, {});
    await new Promise((r) => setTimeout(r, 1500));
    assert.strictEqual(remote.requests.length, 0, 'nothing was sent before consent');

    await client.connection.sendNotification(LlmEndpointConsentNotification.type, { allowedOrigins: [origin] });
    await waitFor('requests once allowed', () => remote.requests.length > 0);
    assert.strictEqual(remote.requests[0].headers.authorization, `Bearer ${KEY}`);
    // The log line travels over stdio and may arrive after the HTTP request it announces.
    await waitFor('the log naming the host', () => client!.logs.some((l) => l.includes(`asking fake-4 at ${host} about`)));
    const after = await client.connection.sendRequest(StatusRequest.type);
    assert.strictEqual(after.llm?.blocked, undefined);
  });
});
