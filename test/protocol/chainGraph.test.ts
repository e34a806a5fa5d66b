import * as assert from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodeLensRequest } from 'vscode-languageserver-protocol/node';
import { ChainGraphRequest, SHOW_CHAIN_COMMAND, type ChainGraphResult } from '../../server/src/protocol';
import { syntheticTrace } from '../../server/src/core/rss/synthetic';
import { ethernetFrame, writePcap } from '../support/captureWriter';
import { ROOT, startServer, waitFor, type TestClient } from './lspClient';

describe('the chain graph request over LSP (paper chain)', function () {
  this.timeout(60_000);
  let dir: string;
  let client: TestClient;
  let uri: string;
  let text: string;
  const request = (params: unknown) => client.connection.sendRequest<ChainGraphResult>(ChainGraphRequest.method, params);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-chaingraph-'));
    cpSync(join(ROOT, 'examples'), dir, { recursive: true });
    const trace = syntheticTrace({ packets: 2000, connections: 200, seed: 3 });
    const frames = Array.from({ length: trace.length }, (_, i) =>
      ethernetFrame({ src: trace.srcIp[i], dst: trace.dstIp[i], sport: trace.srcPort[i], dport: trace.dstPort[i], proto: trace.protocol[i] }),
    );
    writeFileSync(join(dir, 'trace.pcap'), writePcap(frames));
    writeFileSync(join(dir, 'not-a-trace.pcap'), 'hello');
    client = await startServer({ workspaceFolder: dir, initializationOptions: { trusted: true, clientCommands: [SHOW_CHAIN_COMMAND] } });
    uri = pathToFileURL(join(dir, 'paper-chain.click')).href;
    text = readFileSync(join(dir, 'paper-chain.click'), 'utf8');
    await client.open(uri, text);
  });

  after(async () => {
    await client?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers with the nodes, their plan, keys and ranges, the edges and the conflict', async () => {
    const r = await request({ uri });
    assert.strictEqual(r.indexReady, true);
    assert.strictEqual(r.message, undefined);
    assert.strictEqual(r.chains.length, 1);
    const [g] = r.chains;
    const status = Object.fromEntries(g.nodes.map((n) => [n.id, n.status]));
    assert.strictEqual(status.input, 'input');
    assert.strictEqual(status.psd, 'shared-nothing');
    assert.strictEqual(status.policer, 'shared');
    assert.strictEqual(status.counter, 'shared-nothing');
    const psd = g.nodes.find((n) => n.id === 'psd')!;
    assert.deepStrictEqual(psd.flowKey, ['src_ip']);
    const line = text.split('\n').findIndex((l) => l.includes('psd ::'));
    assert.deepStrictEqual(psd.range.start, { line, character: text.split('\n')[line].indexOf('psd') });
    assert.ok(!('startOffset' in psd.range), 'LSP ranges carry lines and characters only');
    assert.strictEqual(g.edges.length, g.nodes.length - 1);
    assert.deepStrictEqual(
      g.conflicts.map((c) => [c.a, c.b]),
      [['psd', 'policer']],
    );
    assert.strictEqual(g.loads, undefined, 'no trace, no loads');
  });

  it('adds per-queue loads for a trace given in the request (relative to the workspace folder)', async () => {
    const r = await request({ uri, trace: 'trace.pcap' });
    assert.deepStrictEqual(r.trace, { file: 'trace.pcap' });
    const loads = r.chains[0].loads!;
    assert.strictEqual(loads.queues, 16);
    assert.strictEqual(loads.packets, 2000);
    assert.strictEqual(
      loads.current.packets.reduce((a, b) => a + b, 0),
      2000,
    );
    assert.strictEqual(
      loads.planned.packets.reduce((a, b) => a + b, 0),
      2000,
    );
    assert.deepStrictEqual(loads.planned.rss, ['src_ip']);
  });

  it('shows the loads the solver weighed when flowmage.solver.trace names the capture', async () => {
    const other = await startServer({ workspaceFolder: dir, settings: { solver: { trace: 'trace.pcap' } } });
    try {
      await other.open(uri, text);
      const r = await waitFor('the graph with loads', async () => {
        const g = await other.connection.sendRequest(ChainGraphRequest.type, { uri });
        return g.indexReady && g.chains[0]?.loads ? g : undefined;
      });
      assert.deepStrictEqual(r.trace, { file: 'trace.pcap' });
      const [g] = r.chains;
      const loads = g.loads!;
      // The bars are the plan's own simulation: its chosen and current hashing, over every packet.
      assert.deepStrictEqual(loads.planned.rss, g.plannedRss);
      assert.deepStrictEqual(loads.current.rss, g.currentRss);
      assert.strictEqual(loads.packets, 2000);
      assert.strictEqual(
        loads.planned.packets.reduce((a, b) => a + b, 0),
        2000,
      );
      const mean = 2000 / loads.queues;
      assert.ok(Math.abs(loads.planned.imbalance - Math.max(...loads.planned.packets) / mean) < 1e-9);
    } finally {
      await other.shutdown();
    }
  });

  it('says why a trace cannot be used, and still draws the graph', async () => {
    const bad = await request({ uri, trace: 'not-a-trace.pcap' });
    assert.match(bad.trace?.error ?? '', /not a pcap or pcapng/);
    assert.strictEqual(bad.chains.length, 1);
    const missing = await request({ uri, trace: join(dir, 'missing.pcap') });
    assert.match(missing.trace?.error ?? '', /ENOENT/);
  });

  it('answers bad requests with a message instead of failing', async () => {
    const none = await request({});
    assert.match(none.message ?? '', /URI/);
    const other = await request({ uri: pathToFileURL(join(dir, 'nothing.click')).href });
    assert.strictEqual(other.chains.length, 0);
    assert.ok(other.message);
  });

  it('puts a Show chain lens on the input device for a client with the command, and none for others', async () => {
    const lenses = await waitFor('the chain lens', async () => {
      const l = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
      return l?.length ? l : undefined;
    });
    const line = text.split('\n').findIndex((l) => l.startsWith('input ::'));
    assert.deepStrictEqual(
      lenses.map((l) => [l.range.start.line, l.command?.command, l.command?.arguments]),
      [[line, SHOW_CHAIN_COMMAND, [uri, 'input']]],
    );
    assert.match(lenses[0].command!.title, /Show chain \(6 elements\)/);
    const plain = await startServer({ workspaceFolder: dir, initializationOptions: { trusted: true } });
    try {
      await plain.open(uri, text);
      await plain.waitForDiagnostics(uri);
      const none = await plain.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
      assert.deepStrictEqual(none, []);
    } finally {
      await plain.shutdown();
    }
  });
});
