// flowmage.solver.trace over LSP: the server reads the capture named in the settings (relative to
// the workspace folder), the plan it optimizes with reports the imbalance on it, and the NAT fed by
// two devices gets symmetric rules; the split two-way flow is flagged beforehand.
import * as assert from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { HoverRequest, type MarkupContent, type TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { syntheticTrace } from '../../server/src/core/rss/synthetic';
import { ethernetFrame, writePcapng } from '../support/captureWriter';
import { OptimizeRequest, type OptimizeResult } from '../../server/src/protocol';
import { ROOT, startServer } from './lspClient';

describe('flowmage.solver.trace over LSP', function () {
  this.timeout(90_000);

  it('the plan weighs the workspace capture, and the two-way NAT gets symmetric rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowmage-trace-lsp-'));
    cpSync(join(ROOT, 'test', 'fixtures', 'twoway'), dir, { recursive: true });
    const trace = syntheticTrace({ packets: 2000, connections: 200, seed: 3 });
    const frames = Array.from({ length: trace.length }, (_, i) =>
      ethernetFrame({ src: trace.srcIp[i], dst: trace.dstIp[i], sport: trace.srcPort[i], dport: trace.dstPort[i], proto: trace.protocol[i] }),
    );
    writeFileSync(join(dir, 'captures.pcapng'), writePcapng(frames));
    const client = await startServer({
      workspaceFolder: dir,
      settings: { solver: { nicProfile: 'ice', trace: 'captures.pcapng' }, rewrite: { target: 'fastclick' } },
      workspaceEdit: { documentChanges: true, resourceOperations: ['create'] },
    });
    try {
      const uri = pathToFileURL(join(dir, 'nat-two-devices.click')).href;
      const text = readFileSync(join(dir, 'nat-two-devices.click'), 'utf8');
      await client.open(uri, text);
      const { diagnostics: diags } = await client.waitForDiagnostics(uri, (p) => p.diagnostics.some((x) => x.code === 'split-two-way'), 30_000);
      const split = diags.find((x) => x.code === 'split-two-way')!;
      assert.match(split.message, /fed by inside and outside/);

      let r: OptimizeResult | undefined;
      for (let i = 0; i < 60 && !r?.summary.some((l) => /imbalance/.test(l)); i++) {
        r = await client.connection.sendRequest(OptimizeRequest.type, { uri });
        if (!r.summary.some((l) => /imbalance/.test(l))) await new Promise((res) => setTimeout(res, 250));
      }
      assert.ok(r?.edit, JSON.stringify(r));
      const head = r.summary.find((l) => l.startsWith('inside:'))!;
      assert.match(head, /→ src_ip dst_ip src_port dst_port \(symmetric: func symmetric_toeplitz\) \(imbalance \d+\.\d\d on the trace\)/);
      const rules = r.edit.documentChanges!.filter((c): c is TextDocumentEdit => 'textDocument' in c && c.textDocument.uri.endsWith('.rules'));
      assert.strictEqual(rules.length, 2);
      for (const f of rules) assert.match((f.edits[0] as { newText: string }).newText, /actions rss func symmetric_toeplitz types ipv4-tcp end queues 0 1 2 3 end/);

      const at = TextDocument.create(uri, 'click', 1, text).positionAt(text.indexOf('inside ::') + 1);
      const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at });
      assert.match((hover?.contents as MarkupContent).value, /Balance on the trace `captures\.pcapng` \(4 queues\): imbalance \d/);
    } finally {
      await client.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a capture that cannot be read is a note, not a failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowmage-trace-lsp-'));
    cpSync(join(ROOT, 'test', 'fixtures', 'twoway'), dir, { recursive: true });
    writeFileSync(join(dir, 'bad.pcap'), 'not a capture');
    const client = await startServer({
      workspaceFolder: dir,
      settings: { solver: { nicProfile: 'ice', trace: 'bad.pcap' }, rewrite: { target: 'fastclick' } },
      workspaceEdit: { documentChanges: true, resourceOperations: ['create'] },
    });
    try {
      const uri = pathToFileURL(join(dir, 'nat-two-devices.click')).href;
      await client.open(uri, readFileSync(join(dir, 'nat-two-devices.click'), 'utf8'));
      const { diagnostics } = await client.waitForDiagnostics(uri, (p) => p.diagnostics.some((x) => x.code === 'split-two-way'), 30_000);
      const notes = diagnostics.filter(
        (x) => x.code === 'chain-note' && /flowmage\.solver\.trace: bad\.pcap: .*not a pcap or pcapng capture.*the plan is made without it/.test(x.message),
      );
      assert.strictEqual(notes.length, 2, JSON.stringify(diagnostics.map((x) => x.message)));
      const r = await client.connection.sendRequest(OptimizeRequest.type, { uri });
      assert.ok(r.edit, r.message);
      assert.ok(!r.summary.some((l) => /imbalance/.test(l)));
    } finally {
      await client.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
