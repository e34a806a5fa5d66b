// Issue 13, item 1 over LSP: documents whose compounds expand forever or to millions of instances
// used to hang the server while its memory grew. It must publish the diagnostic and keep answering
// hover, on the hostile document and on others, after each is opened and edited.
import * as assert from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidChangeTextDocumentNotification, HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { ROOT, startServer, type TestClient } from './lspClient';

const HOSTILE: Array<{ name: string; text: string; code: string }> = [
  {
    name: 'nested anonymous compounds',
    text: 'input :: FromDPDKDevice(0) -> { input -> { input -> { input -> { input -> IFlowCounter -> output } -> output } -> output } -> output } -> Discard;\n',
    code: '',
  },
  { name: 'a recursive elementclass', text: 'elementclass R { input -> R -> R -> output }\ninput :: FromDPDKDevice(0) -> R -> Discard;\n', code: 'recursive-elementclass' },
  {
    name: 'twenty classes each using the previous one twice',
    text:
      'elementclass C0 { input -> IFlowCounter -> output }\n' +
      Array.from({ length: 19 }, (_, i) => `elementclass C${i + 1} { input -> C${i} -> C${i} -> output }\n`).join('') +
      'input :: FromDPDKDevice(0) -> C19 -> Discard;\n',
    code: 'expansion-budget',
  },
];

/** A request that must be answered within `ms`, or the test fails (instead of waiting forever). */
function within<T>(ms: number, what: string, request: Promise<T>): Promise<T> {
  return Promise.race([request, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))]);
}

describe('hostile compounds over LSP (issue 13, item 1)', function () {
  this.timeout(120_000);
  let dir: string;
  let client: TestClient;
  let paperUri: string;
  let paperText: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-hostile-'));
    cpSync(join(ROOT, 'examples'), dir, { recursive: true });
    client = await startServer({ workspaceFolder: dir });
    paperUri = pathToFileURL(join(dir, 'paper-chain.click')).href;
    paperText = readFileSync(join(dir, 'paper-chain.click'), 'utf8');
    await client.open(paperUri, paperText);
    await client.waitForDiagnostics(paperUri, (p) => p.diagnostics.some((d) => d.code === 'disjoint-keys'), 30_000);
  });

  after(async () => {
    const code = await client?.shutdown();
    rmSync(dir, { recursive: true, force: true });
    assert.strictEqual(code, 0, 'the server shuts down cleanly');
  });

  const hoverPsd = async (what: string) => {
    const line = paperText.split('\n').findIndex((l) => l.includes('psd ::'));
    const hover = await within(10_000, what, client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: paperUri }, position: { line, character: 8 } }));
    assert.match((hover?.contents as MarkupContent).value, /IPortScanDetector/, what);
  };

  HOSTILE.forEach((h, i) => {
    it(`answers hover after ${h.name} is opened and edited`, async () => {
      const uri = pathToFileURL(join(dir, `hostile-${i}.click`)).href;
      await client.open(uri, h.text);
      const published = await client.waitForDiagnostics(uri, (p) => !h.code || p.diagnostics.some((d) => d.code === h.code), 30_000);
      if (h.code) assert.ok(published.diagnostics.some((d) => d.code === h.code && d.message.length > 0));
      const hover = await within(
        10_000,
        `hover on ${h.name}`,
        client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: h.text.split('\n').length - 2, character: 12 } }),
      );
      assert.match((hover?.contents as MarkupContent).value, /FromDPDKDevice/);
      await hoverPsd(`hover on another document after ${h.name}`);

      // An edit that doubles the hostile part: still answered.
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version: 2 },
        contentChanges: [
          { text: h.text.replace(/input :: FromDPDKDevice\(0\)/, 'input :: FromDPDKDevice(0) -> { input -> IFlowCounter -> output }') + h.text.replace(/input ::/, 'again ::') },
        ],
      });
      await hoverPsd(`hover after editing ${h.name}`);
    });
  });

  it('answers hover on a document edited into a hostile one', async () => {
    const doubling = HOSTILE[2].text;
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: paperUri, version: 2 },
      contentChanges: [{ text: paperText + doubling.replace(/input ::/, 'again ::') }],
    });
    await client.waitForDiagnostics(paperUri, (p) => p.diagnostics.some((d) => d.code === 'expansion-budget'), 30_000);
    await hoverPsd('hover on the edited document');
  });
});
