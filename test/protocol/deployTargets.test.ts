// Optimize chain over LSP on the upstream-style deploy fixtures: the rules file travels in the same
// WorkspaceEdit (CreateFile + its text) when the client can create files, and a client that cannot
// gets no edit and a message instead of a configuration naming a missing file.
import * as assert from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeActionRequest, HoverRequest, type CodeAction, type CreateFile, type MarkupContent, type TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { ROOT, startServer, type TestClient } from './lspClient';
import { OptimizeRequest, type OptimizeResult } from '../../server/src/protocol';

async function openFixture(canCreateFiles: boolean): Promise<{ dir: string; client: TestClient; uri: string; text: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'flowmage-deploy-'));
  cpSync(join(ROOT, 'test', 'fixtures', 'deploy'), dir, { recursive: true });
  const client = await startServer({
    workspaceFolder: dir,
    settings: { rewrite: { swapClasses: true } },
    workspaceEdit: canCreateFiles ? { documentChanges: true, resourceOperations: ['create'] } : { documentChanges: true },
  });
  const uri = pathToFileURL(join(dir, 'chain-src.click')).href;
  const text = readFileSync(join(dir, 'chain-src.click'), 'utf8');
  await client.open(uri, text);
  // Wait until the index has answered for the chain (the plan needs the fixture classes).
  await client.waitForDiagnostics(uri, () => true, 20_000);
  return { dir, client, uri, text };
}

async function optimizeWhenReady(client: TestClient, uri: string): Promise<OptimizeResult> {
  for (let i = 0; i < 40; i++) {
    const r = await client.connection.sendRequest(OptimizeRequest.type, { uri });
    if (r.summary.some((l) => /deploy:/.test(l))) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error('the plan never appeared');
}

describe('deploy targets over LSP', function () {
  this.timeout(60_000);

  it('sends the rules file as CreateFile + text with the configuration edit, and the code action carries the same edit', async () => {
    const { dir, client, uri, text } = await openFixture(true);
    try {
      const r = await optimizeWhenReady(client, uri);
      assert.ok(r.edit, r.message);
      const changes = r.edit!.documentChanges!;
      const rulesUri = pathToFileURL(join(dir, 'chain-src.fd0.rules')).href;
      const create = changes[0] as CreateFile;
      assert.deepStrictEqual([create.kind, create.uri, create.options], ['create', rulesUri, { overwrite: true }]);
      const rules = changes[1] as TextDocumentEdit;
      assert.strictEqual(rules.textDocument.uri, rulesUri);
      assert.strictEqual((rules.edits[0] as { newText: string }).newText, 'ingress pattern eth / ipv4 / end actions rss types ipv4 l3-src-only end queues 0 1 2 3 end / end\n');
      const conf = changes[2] as TextDocumentEdit;
      const out = TextDocument.applyEdits(TextDocument.create(uri, 'click', 1, text), conf.edits as never);
      assert.match(out, /MODE flow, FLOW_RULES_FILE "chain-src\.fd0\.rules"/);
      assert.match(out, /ft :: FlowTableIMP/);
      assert.strictEqual(r.changes, 3, 'two configuration edits (the keywords are one insertion) and one file');

      const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.flowmage.optimizeChain'] },
      })) as CodeAction[];
      assert.deepStrictEqual(actions[0]?.edit, r.edit);

      const fd0 = text.indexOf('fd0 ::') + 1;
      const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: TextDocument.create(uri, 'click', 1, text).positionAt(fd0) });
      assert.match((hover?.contents as MarkupContent).value, /Deploy: FromFlowNIC reads MODE and FLOW_RULES_FILE/);
      const ft = text.indexOf('ft ::') + 1;
      const ftHover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: TextDocument.create(uri, 'click', 1, text).positionAt(ft) });
      assert.match((ftHover?.contents as MarkupContent).value, /\*\*Threading\*\*: shared-safe/);
      assert.match((ftHover?.contents as MarkupContent).value, /Written as: FlowTableMP is shared-safe; sibling FlowTableIMP/);
    } finally {
      await client.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a client that cannot create files gets no edit and a message', async () => {
    const { dir, client, uri } = await openFixture(false);
    try {
      const r = await optimizeWhenReady(client, uri);
      assert.strictEqual(r.edit, null);
      assert.match(r.message ?? '', /cannot create files/);
      const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.flowmage.optimizeChain'] },
      })) as CodeAction[];
      assert.deepStrictEqual(actions, []);
    } finally {
      await client.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
