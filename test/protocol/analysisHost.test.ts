// The analysis host (issue #12, items 1 and 2) over real LSP: requests never wait on the network,
// what the LLM jobs send is decided by what changed, and the persistent index is reused across
// starts and set aside when corrupt.
import * as assert from 'node:assert';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigurationRequest, DidChangeConfigurationNotification, DidSaveTextDocumentNotification, HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { FakeOpenAI, featureJson } from '../support/fakeOpenAI';
import { IndexStatusRequest } from '../../server/src/protocol';
import { ROOT, startServer, waitFor, type TestClient } from './lspClient';

const KEY = 'sk-analysis-host-test-0123456789';

const indexStatus = (client: TestClient) => client.connection.sendRequest(IndexStatusRequest.type);
const indexed = (client: TestClient) =>
  waitFor('the first index', async () => {
    const s = await indexStatus(client);
    return s.state === 'idle' && s.elements > 0 && !s.partial ? s : undefined;
  });

function workspace(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(ROOT, 'examples'), dir, { recursive: true });
  return dir;
}

/** Hover position of an instance name in paper-chain.click. */
function positionOf(text: string, name: string) {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(`${name} ::`));
  return { line, character: lines[line].indexOf(name) + 1 };
}

describe('Analysis host: requests never wait on the LLM', function () {
  this.timeout(60_000);
  const fake = new FakeOpenAI();
  let dir: string;
  let client: TestClient;

  before(async () => {
    await fake.start();
    fake.script = () => ({ kind: 'hang' });
    dir = workspace('flowmage-host-hang-');
    client = await startServer({
      workspaceFolder: dir,
      // With pointer chasing weighed like any other work the paper's chain ties, so the solver asks
      // for complexity comparisons (test/unit/chains/optimize.test.ts).
      settings: {
        // Concurrency above the hanging extractions, so comparisons reach the server too.
        llm: { enabled: true, baseUrl: fake.baseUrl, model: 'fake-hang', timeoutSeconds: 120, maxRetries: 0, complexityComparison: true, concurrency: 8 },
        solver: { weights: { pointerChasingFactor: 1 } },
      },
      env: { FLOWMAGE_LLM_API_KEY: KEY },
    });
  });

  after(async () => {
    await client?.shutdown();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a hover fast while the LLM server hangs on extraction and complexity requests', async () => {
    await indexed(client);
    const uri = pathToFileURL(join(dir, 'paper-chain.click')).href;
    const text = readFileSync(join(dir, 'paper-chain.click'), 'utf8');
    await client.open(uri, text);
    // Opening the file sends its elements to the LLM, and the first analysis queues complexity
    // comparisons: all of them hang.
    await waitFor('extraction requests hanging', () => fake.inFlight > 0);
    const first = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, 'policer') });
    assert.match((first?.contents as MarkupContent).value, /IPolicer/);
    await waitFor('a complexity comparison hanging', () => fake.requests.some((r) => /complexity/i.test(JSON.stringify(r.body.response_format ?? ''))), 10_000).catch((err) => {
      throw new Error(`${err.message}; logs:\n${client.logs.join('\n')}`);
    });
    const t0 = Date.now();
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, 'counter') });
    const ms = Date.now() - t0;
    const md = (hover?.contents as MarkupContent).value;
    assert.match(md, /IFlowCounter/);
    assert.ok(fake.inFlight > 0, 'the LLM requests are still hanging while the hover answered');
    assert.ok(ms < 1000, `the hover took ${ms} ms`);
    // The plan in the hover falls back to the static estimate while the comparison is pending.
    const input = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, 'input') });
    assert.doesNotMatch((input?.contents as MarkupContent).value, /Tie broken by the LLM/);
  });
});

describe('Analysis host: what the LLM jobs send is decided by what changed', function () {
  this.timeout(60_000);
  const fake = new FakeOpenAI();
  let dir: string;
  let client: TestClient;
  const settings: Record<string, unknown> = {};

  before(async () => {
    await fake.start();
    fake.script = (req) => {
      const prompt = req.body.messages?.map((m) => m.content).join('\n') ?? '';
      if (/class IPolicer/.test(prompt)) return { kind: 'content', content: featureJson({ stateful: true, key: ['dst_ip'] }) };
      return { kind: 'content', content: featureJson({ stateful: false }) };
    };
    dir = workspace('flowmage-host-changes-');
    Object.assign(settings, { llm: { enabled: true, baseUrl: fake.baseUrl, model: 'fake-5', timeoutSeconds: 10 }, index: { maxFileSizeKB: 2048 } });
    client = await startServer({ workspaceFolder: dir, settings, env: { FLOWMAGE_LLM_API_KEY: KEY } });
  });

  after(async () => {
    await client?.shutdown();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const policerCc = () => join(dir, 'elements', 'elements', 'flowmage', 'ipolicer.cc');
  /** Saves as an editor does: the document is open (the server hears saves of open documents only). */
  const save = async (file: string) => {
    const uri = pathToFileURL(file).href;
    await client.open(uri, readFileSync(file, 'utf8'), 'cpp');
    await client.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
  };
  const changeSettings = async (next: Record<string, unknown>) => {
    Object.assign(settings, next);
    client.connection.onRequest(ConfigurationRequest.type, (params) => params.items.map((item) => (item.section === 'flowmage' ? settings : null)));
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  };
  const reindexed = (n: number) => waitFor(`index #${n}`, () => client.logs.filter((l) => /indexed \d+ C\+\+ files under/.test(l)).length >= n);

  it('sends nothing after a C++ save that changes nothing followed by a settings change', async () => {
    await indexed(client);
    assert.strictEqual(fake.requests.length, 0, 'the start-up index sends nothing');
    await save(policerCc());
    await new Promise((r) => setTimeout(r, 600));
    // A setting that makes the server index the tree again (every element's features are republished).
    await changeSettings({ index: { maxFileSizeKB: 4096 } });
    await reindexed(2);
    await new Promise((r) => setTimeout(r, 1500));
    assert.strictEqual(fake.requests.length, 0, `requests: ${fake.requests.map((r) => r.body.messages?.[1]?.content.slice(0, 80)).join(' | ')}`);
  });

  it('after a real code change asks about the changed element only', async () => {
    const before = readFileSync(policerCc(), 'utf8');
    const after = before.replace('    state->dropped++;', '    state->dropped++;\n    state->dropped += 2;');
    assert.notStrictEqual(after, before, 'the fixture has the line the test edits');
    writeFileSync(policerCc(), after);
    await save(policerCc());
    await waitFor('a request about the policer', () => fake.requests.length > 0);
    await new Promise((r) => setTimeout(r, 1500));
    const about = fake.requests.map((r) => (r.body.messages ?? []).map((m) => m.content).join('\n'));
    assert.ok(about.length >= 1);
    for (const prompt of about) {
      assert.match(prompt, /class IPolicer/);
      assert.doesNotMatch(prompt, /class IFlowCounter|class IPortScanDetector/);
    }
  });
});

describe('Analysis host: the persistent index', function () {
  this.timeout(60_000);
  let dir: string;
  let storage: string;

  before(() => {
    dir = workspace('flowmage-host-cache-');
    storage = mkdtempSync(join(tmpdir(), 'flowmage-host-storage-'));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  });

  const start = () => startServer({ workspaceFolder: dir, initializationOptions: { trusted: true, storagePath: storage } });

  it('writes the index cache into the storage folder and reuses it on the next start without parsing', async () => {
    const cold = await start();
    const first = await indexed(cold);
    assert.ok(first.cache, 'the index reports its cache');
    assert.strictEqual(first.cache.cachedFiles, 0, 'nothing cached on the first start');
    assert.ok(first.cache.modelMisses > 0, 'the first start parses');
    await cold.shutdown();
    const pack = join(storage, 'index', 'index.pack');
    assert.ok(existsSync(pack), 'the cache is written at shutdown at the latest');

    const warm = await start();
    const second = await indexed(warm);
    assert.strictEqual(second.elements, first.elements);
    assert.strictEqual(second.cache?.cachedFiles, second.cache?.files, 'every file unchanged: none read');
    assert.strictEqual(second.cache?.modelMisses, 0, 'no file parsed');
    // The element table and every element's analysis come from the cache: no model is even decoded.
    assert.strictEqual(second.cache?.modelHits, 0, 'no model decoded');
    assert.ok(
      warm.logs.some((l) => /index cache .*: \d+ of \d+ files unchanged, \d+ models reused, 0 parsed/.test(l)),
      warm.logs.join('\n'),
    );
    // Features are the same as after a cold start.
    const md = async (c: TestClient) => {
      const uri = pathToFileURL(join(dir, 'paper-chain.click')).href;
      const text = readFileSync(join(dir, 'paper-chain.click'), 'utf8');
      await c.open(uri, text);
      const h = await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, 'policer') });
      return (h?.contents as MarkupContent).value;
    };
    const warmHover = await md(warm);
    await warm.shutdown();
    rmSync(join(storage, 'index'), { recursive: true, force: true });
    const again = await start();
    await indexed(again);
    assert.strictEqual(await md(again), warmHover, 'a hover from cached models equals one from parsed models');
    await again.shutdown();
  });

  it('sets a corrupt cache aside with a warning and indexes anyway', async () => {
    const pack = join(storage, 'index', 'index.pack');
    assert.ok(existsSync(pack));
    writeFileSync(pack, '{"schema": "flowmage-index", "files": {"/x": tru\nGARBAGE');
    const c = await start();
    const s = await indexed(c);
    assert.ok(s.elements >= 3, 'the index was built');
    assert.ok(
      s.cache?.warnings.some((w) => /corrupt/.test(w) && /moved it to/.test(w)),
      JSON.stringify(s.cache),
    );
    assert.ok(
      c.logs.some((l) => /index cache .* is corrupt/.test(l)),
      'the warning is logged',
    );
    assert.ok(
      readdirSync(join(storage, 'index')).some((f) => f.startsWith('index.pack.corrupt-')),
      'the corrupt file is kept aside',
    );
    assert.ok(c.process.exitCode === null, 'the server is still running');
    await c.shutdown();
    // The next start writes a fresh cache that is read back.
    const warm = await start();
    const w = await indexed(warm);
    assert.strictEqual(w.cache?.modelMisses, 0);
    await warm.shutdown();
  });
});
