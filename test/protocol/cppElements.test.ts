import * as assert from 'node:assert';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeLensRequest,
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  HoverRequest,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCreateRequest,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { generateTree } from '../bench/analysis';
import { ROOT, startServer, type TestClient } from './lspClient';
import { ElementsRequest, IndexStatusRequest } from '../../server/src/protocol';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('C++ elements over LSP', function () {
  this.timeout(60_000);
  let dir: string;
  let client: TestClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-cpp-'));
    cpSync(join(ROOT, 'test', 'fixtures', 'elements'), dir, { recursive: true });
    client = await startServer({ workspaceFolder: dir });
  });

  after(async () => {
    await client?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const elements = (names?: string[]) => client.connection.sendRequest(ElementsRequest.type, { names });

  it('indexes the workspace and reports every element with a one-line summary', async () => {
    const list = await elements();
    const byName = new Map(list.map((e) => [e.name, e]));
    assert.strictEqual(byName.get('IPortScanDetector')?.summary, 'stateful · key src_ip · per-packet · pointer chasing');
    assert.strictEqual(byName.get('IPolicer')?.summary, 'stateful · key dst_ip · per-packet');
    assert.strictEqual(byName.get('AverageCounter')?.summary, 'stateless');
    assert.ok(list.length >= 14, `found ${list.length} elements`);
  });

  it('hovers an element class with its features and evidence links', async () => {
    const hh = join(dir, 'elements', 'flowmage', 'iportscandetector.hh');
    const text = readFileSync(hh, 'utf8');
    const uri = pathToFileURL(hh).href;
    await client.open(uri, text, 'cpp');
    const line = text.split('\n').findIndex((l) => l.startsWith('class IPortScanDetector'));
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character: 8 } });
    const md = (hover?.contents as MarkupContent).value;
    assert.match(md, /\*\*IPortScanDetector\*\*: stateful · key src_ip · per-packet · pointer chasing/);
    const cc = readFileSync(join(dir, 'elements', 'flowmage', 'iportscandetector.cc'), 'utf8').split('\n');
    const srcLine = cc.findIndex((l) => l.includes('ip_src')) + 1;
    assert.ok(md.includes(`[iportscandetector.cc:${srcLine}](${pathToFileURL(join(dir, 'elements', 'flowmage', 'iportscandetector.cc')).href}#L${srcLine})`), md);
    const none = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 1 } });
    assert.strictEqual(none, null);
  });

  it('puts a CodeLens with the summary above the element class', async () => {
    const hh = join(dir, 'elements', 'flowmage', 'ipolicer.hh');
    const text = readFileSync(hh, 'utf8');
    const uri = pathToFileURL(hh).href;
    await client.open(uri, text, 'cpp');
    const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
    assert.strictEqual(lenses?.length, 1);
    assert.strictEqual(lenses![0].command?.title, 'FlowMage: stateful · key dst_ip · per-packet');
    const classLine = text.split('\n').findIndex((l) => l.startsWith('class IPolicer'));
    assert.strictEqual(lenses![0].range.start.line, classLine);
    // A client that has not said it implements the VS Code command gets a label it cannot run.
    assert.strictEqual(lenses![0].command?.command, '');
    assert.strictEqual(lenses![0].command?.arguments, undefined);
  });

  it('makes the CodeLens show the hover only for a client that implements the command', async () => {
    const hh = join(dir, 'elements', 'flowmage', 'ipolicer.hh');
    const text = readFileSync(hh, 'utf8');
    const uri = pathToFileURL(hh).href;
    const vscodeLike = await startServer({ workspaceFolder: dir, initializationOptions: { trusted: true, clientCommands: ['flowmage.showFeaturesAt'] } });
    try {
      await vscodeLike.open(uri, text, 'cpp');
      const lenses = await waitFor('the lens', async () => {
        const l = await vscodeLike.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
        return l?.length ? l : undefined;
      });
      const classLine = text.split('\n').findIndex((l) => l.startsWith('class IPolicer'));
      assert.strictEqual(lenses[0].command?.title, 'FlowMage: stateful · key dst_ip · per-packet');
      // Clicking it shows the hover at the class name.
      assert.strictEqual(lenses[0].command?.command, 'flowmage.showFeaturesAt');
      assert.deepStrictEqual(lenses[0].command?.arguments, [uri, { line: classLine, character: 'class '.length }]);
    } finally {
      await vscodeLike.shutdown();
    }
  });

  it('re-analyzes an element when its source changes on disk', async () => {
    const cc = join(dir, 'elements', 'flowmage', 'ipolicer.cc');
    writeFileSync(cc, readFileSync(cc, 'utf8').replace('iph->ip_dst.s_addr', 'iph->ip_src.s_addr'));
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(cc).href, type: FileChangeType.Changed }] });
    const summary = await waitFor('IPolicer to be re-analyzed', async () => {
      const [e] = await elements(['IPolicer']);
      return e?.summary.includes('src_ip') ? e.summary : undefined;
    });
    assert.strictEqual(summary, 'stateful · key src_ip · per-packet');
    const [psd] = await elements(['IPortScanDetector']);
    assert.strictEqual(psd.summary, 'stateful · key src_ip · per-packet · pointer chasing');
  });

  it('keeps the features in .flowmage/features.json and reuses them after a restart', async () => {
    const store = join(dir, '.flowmage', 'features.json');
    await waitFor('the store to be written', async () => (existsSync(store) && JSON.parse(readFileSync(store, 'utf8')).elements.IPolicer ? true : undefined));
    const data = JSON.parse(readFileSync(store, 'utf8'));
    assert.strictEqual(data.schema, 'flowmage-features');
    assert.deepStrictEqual(data.elements.IPortScanDetector.sources.static.features.flowKey, ['src_ip']);
    await client.shutdown();
    client = await startServer({ workspaceFolder: dir });
    await elements();
    const status = await client.connection.sendRequest(IndexStatusRequest.type);
    assert.strictEqual(status.state, 'idle');
    assert.ok(
      client.logs.some((l) => /26 elements, 0 analyzed, 26 unchanged/.test(l)),
      client.logs.join('\n'),
    );
  });
});

describe('C++ indexing progress and settings', function () {
  this.timeout(90_000);
  let dir: string;
  let big: string;
  let client: TestClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-cpp-settings-'));
    cpSync(join(ROOT, 'test', 'fixtures', 'elements'), join(dir, 'fixtures'), { recursive: true });
    big = join(dir, 'big');
    generateTree(big);
    client = await startServer({ workspaceFolder: join(dir, 'fixtures'), settings: { store: { path: '' } } });
    await client.connection.sendRequest(ElementsRequest.type, undefined);
  });

  after(async () => {
    await client?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  function useSettings(settings: Record<string, unknown>): Promise<void> {
    client.connection.onRequest(ConfigurationRequest.type, (params) => params.items.map((item) => (item.section === 'flowmage' ? settings : null)));
    return client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  it('re-indexes when flowmage.sourcePaths changes, reporting work-done progress', async () => {
    const kinds: string[] = [];
    client.connection.onRequest(WorkDoneProgressCreateRequest.type, () => null);
    client.connection.onNotification('$/progress', (p: { value: { kind: string; message?: string } }) => kinds.push(p.value.kind));
    await useSettings({ sourcePaths: [join(ROOT, 'examples', 'elements')], store: { path: '' } });
    const names = await waitFor('the examples to be indexed', async () => {
      const list = await client.connection.sendRequest(ElementsRequest.type, undefined);
      return list.some((e) => e.name === 'FromDPDKDevice') ? list.map((e) => e.name) : undefined;
    });
    assert.deepStrictEqual(names, ['CheckIPHeader', 'Classifier', 'FromDPDKDevice', 'IFlowCounter', 'IPolicer', 'IPortScanDetector', 'MarkIPHeader', 'ToDPDKDevice']);
    assert.strictEqual(kinds[0], 'begin');
    assert.ok(kinds.includes('report'));
    assert.strictEqual(kinds[kinds.length - 1], 'end');
  });

  it('answers a request that waits for the index from the index a settings change starts, even while the new settings are being read', async () => {
    // Sent right after the notification: the server has not read the new settings yet.
    void useSettings({ sourcePaths: [join(dir, 'fixtures')], store: { path: '' } });
    const names = (await client.connection.sendRequest(ElementsRequest.type, undefined)).map((e) => e.name);
    assert.ok(names.includes('AnnoTally') && !names.includes('FromDPDKDevice'), names.join(', '));
    // Back to the examples, for the next test.
    await useSettings({ sourcePaths: [join(ROOT, 'examples', 'elements')], store: { path: '' } });
    const back = (await client.connection.sendRequest(ElementsRequest.type, undefined)).map((e) => e.name);
    assert.ok(back.includes('FromDPDKDevice'), back.join(', '));
  });

  it('stops indexing a large tree when the user cancels, keeping the previous index', async () => {
    client.connection.onRequest(WorkDoneProgressCreateRequest.type, (params) => {
      setTimeout(() => void client.connection.sendNotification(WorkDoneProgressCancelNotification.type, { token: params.token }), 50);
      return null;
    });
    await useSettings({ sourcePaths: [big], store: { path: '' } });
    await waitFor('the cancellation', async () => (client.logs.some((l) => /indexing of C\+\+ elements cancelled/.test(l)) ? true : undefined), 30_000);
    const status = await client.connection.sendRequest(IndexStatusRequest.type);
    assert.deepStrictEqual([status.state, status.elements, status.roots], ['idle', 8, [join(ROOT, 'examples', 'elements')]]);
  });
});
