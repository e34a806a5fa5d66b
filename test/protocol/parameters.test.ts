// Keyword arguments over LSP, from the parameter index of the fixture elements
// (test/fixtures/parameters): the unknown-keyword diagnostic and its quick fix, keyword completion
// with documentation, and hover on a keyword.
import * as assert from 'node:assert';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
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
  type MarkupContent,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { ROOT, startServer, type TestClient } from './lspClient';

const TEXT = 'src :: ChildRx(0, PROMISK true, VERBOSE 1)\n    -> shaper :: LegacyShaper(100, STRICT maybe)\n    -> lax :: LaxCounter(HASHFUNC x)\n    -> Discard;\n';

function apply(text: string, uri: string, edit: WorkspaceEdit): string {
  const edits = edit.documentChanges ? edit.documentChanges.flatMap((c) => ('edits' in c && c.textDocument.uri === uri ? c.edits : [])) : (edit.changes?.[uri] ?? []);
  return TextDocument.applyEdits(TextDocument.create(uri, 'click', 1, text), edits as never);
}

describe('keyword arguments over LSP', function () {
  this.timeout(60_000);
  let dir: string;
  let client: TestClient;
  let uri: string;
  const doc = () => TextDocument.create(uri, 'click', 1, TEXT);
  const pos = (needle: string, delta = 0) => doc().positionAt(TEXT.indexOf(needle) + delta);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-params-'));
    cpSync(join(ROOT, 'test', 'fixtures', 'parameters'), dir, { recursive: true });
    client = await startServer({ workspaceFolder: dir });
    uri = pathToFileURL(join(dir, 'devices.click')).href;
    await client.open(uri, TEXT);
  });

  after(async () => {
    await client?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('flags an unknown keyword and a wrongly typed value, not the keywords of a partial list, and fixes the typo', async () => {
    const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'unknown-argument'), 20_000);
    const mine = published.diagnostics.filter((d) =>
      ['unknown-argument', 'argument-type', 'missing-argument', 'duplicate-argument', 'too-many-arguments'].includes(String(d.code)),
    );
    const d = doc();
    assert.deepStrictEqual(
      mine.map((x) => [x.code, x.severity, TEXT.slice(d.offsetAt(x.range.start), d.offsetAt(x.range.end))]),
      [
        ['unknown-argument', 1, 'PROMISK'],
        ['argument-type', 1, 'maybe'],
      ],
    );
    const unknown = mine[0];
    assert.match(unknown.message, /^PROMISK: unknown argument; did you mean `PROMISC`\?/);
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: unknown.range,
      context: { diagnostics: [unknown] },
    })) as CodeAction[];
    const fix = actions.find((a) => a.title === 'Change to `PROMISC`');
    assert.ok(fix?.edit, JSON.stringify(actions.map((a) => a.title)));
    assert.strictEqual(fix.kind, 'quickfix');
    assert.strictEqual(apply(TEXT, uri, fix.edit).split('\n')[0], 'src :: ChildRx(0, PROMISC true, VERBOSE 1)');
  });

  it('completes the keywords the class reads, with their documentation', async () => {
    const items = (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: pos('VERBOSE 1)') })) as CompletionItem[];
    const labels = items.map((i) => i.label);
    // VERBOSE is already written; PORT and N_QUEUES come from the base class through parse_common(conf, errh).
    assert.deepStrictEqual([...labels].sort(), ['N_QUEUES', 'PORT', 'PROMISC']);
    const promisc = items.find((i) => i.label === 'PROMISC')!;
    assert.match(promisc.detail ?? '', /boolean · default false/);
    assert.match((promisc.documentation as MarkupContent).value, /Accept every frame/);
  });

  it("shows a keyword's documentation, type and default on hover", async () => {
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: pos('STRICT', 2) });
    const value = (hover?.contents as MarkupContent).value;
    assert.match(value, /\*\*STRICT\*\* · `LegacyShaper` keyword/);
    assert.match(value, /boolean · default false/);
    assert.match(value, /Drop instead of delaying/);
    const d = doc();
    assert.strictEqual(TEXT.slice(d.offsetAt(hover!.range!.start), d.offsetAt(hover!.range!.end)), 'STRICT');
  });
});
