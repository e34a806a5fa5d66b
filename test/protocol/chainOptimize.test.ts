import * as assert from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionRequest,
  CompletionRequest,
  HoverRequest,
  type CodeAction,
  type CompletionItem,
  type Diagnostic,
  type MarkupContent,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { ROOT, startServer, type TestClient } from './lspClient';
import { OptimizeRequest } from '../../server/src/protocol';

function applyWorkspaceEdit(text: string, uri: string, edit: WorkspaceEdit): string {
  const edits = edit.documentChanges ? edit.documentChanges.flatMap((c) => ('edits' in c && c.textDocument.uri === uri ? c.edits : [])) : (edit.changes?.[uri] ?? []);
  return TextDocument.applyEdits(TextDocument.create(uri, 'click', 1, text), edits as never);
}

describe('chain optimization over LSP (paper chain)', function () {
  this.timeout(60_000);
  let dir: string;
  let client: TestClient;
  let uri: string;
  let text: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-chain-'));
    cpSync(join(ROOT, 'examples'), dir, { recursive: true });
    client = await startServer({ workspaceFolder: dir });
    uri = pathToFileURL(join(dir, 'paper-chain.click')).href;
    text = readFileSync(join(dir, 'paper-chain.click'), 'utf8');
    await client.open(uri, text);
  });

  after(async () => {
    await client?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const pos = (needle: string, delta = 1) => {
    const offset = text.indexOf(needle) + delta;
    const doc = TextDocument.create(uri, 'click', 1, text);
    return doc.positionAt(offset);
  };

  it('warns on the detector and the policer that their keys are disjoint, pointing at each other', async () => {
    const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'disjoint-keys'), 20_000);
    const disjoint = published.diagnostics.filter((d: Diagnostic) => d.code === 'disjoint-keys');
    const on = disjoint
      .map((d) => text.slice(TextDocument.create(uri, 'click', 1, text).offsetAt(d.range.start), TextDocument.create(uri, 'click', 1, text).offsetAt(d.range.end)))
      .sort();
    assert.deepStrictEqual(on, ['policer', 'psd']);
    for (const d of disjoint) assert.strictEqual(d.relatedInformation?.length, 1);
    assert.ok(
      published.diagnostics.some((d) => d.code === 'better-plan'),
      'a hint that a better plan exists',
    );
  });

  it('hovers the port-scan detector with its key and how it runs now and after optimizing', async () => {
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: pos('psd ::') });
    const md = (hover?.contents as MarkupContent).value;
    assert.match(md, /IPortScanDetector/);
    assert.match(md, /key src_ip/);
    assert.match(md, /As configured \(RSS 5-tuple\): shares state across cores/);
    assert.match(md, /Optimized \(RSS src_ip\): \*\*shared-nothing\*\*/);
    assert.match(md, /Source: \[iportscandetector\.hh:\d+\]/);
  });

  it('offers "Optimize chain" as a source action and a quick fix, and its edit gives the Figure 7 text', async () => {
    const diags = client.diagnostics.get(uri)!.diagnostics.filter((d) => d.code === 'disjoint-keys');
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diags[0].range,
      context: { diagnostics: diags },
    })) as CodeAction[];
    const kinds = actions.map((a) => a.kind).sort();
    assert.deepStrictEqual(kinds, ['quickfix', 'source.flowmage.optimizeChain']);
    assert.match(actions[0].title, /Optimize chain \(RSS src_ip\)/);
    const out = applyWorkspaceEdit(text, uri, actions[0].edit!);
    assert.match(out, /FromDPDKDevice\(\$port, MAXTHREADS 16, NDESC 256, HASHFUNC "src_ip"\)/);
    assert.match(out, /policer :: IPolicer\(SIZE 8000000, SHARED true\)/);
  });

  it(`${OptimizeRequest.method} returns the same edit with a summary`, async () => {
    const r = await client.connection.sendRequest(OptimizeRequest.type, { uri });
    assert.strictEqual(r.changes, 4);
    assert.match(r.summary[0], /input: RSS 5-tuple → src_ip; shared-nothing: psd, counter; shared: policer/);
  });

  it('completes keyword arguments from the element docs and class names from the index', async () => {
    const inConfig = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: pos('SIZE 8000000)', 0) })) as CompletionItem[];
    assert.ok(inConfig.length > 0 && inConfig.every((i) => /^[A-Z_0-9]+$/.test(i.label)), JSON.stringify(inConfig.map((i) => i.label)));
    const classes = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } })) as CompletionItem[];
    for (const name of ['IPortScanDetector', 'IPolicer', 'IFlowCounter'])
      assert.ok(
        classes.some((c) => c.label === name),
        name,
      );
  });

  it('tells where a stateful-looking class is missing and offers to add its sources', async () => {
    const other = pathToFileURL(join(dir, 'custom.click')).href;
    await client.open(other, 'in :: FromDPDKDevice(0) -> fw :: MyFlowFirewall -> Discard;\n');
    const published = await client.waitForDiagnostics(other, (p) => p.diagnostics.some((d) => d.code === 'unknown-class'), 20_000);
    const info = published.diagnostics.find((d) => d.code === 'unknown-class')!;
    assert.strictEqual(info.severity, 3);
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: other },
      range: info.range,
      context: { diagnostics: [info] },
    })) as CodeAction[];
    const fix = actions.find((a) => a.kind === 'quickfix');
    assert.deepStrictEqual(fix?.command?.arguments, ['flowmage.sourcePaths']);
  });
});
