import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  ReferencesRequest,
  SemanticTokensRequest,
  type DocumentSymbol,
  type Location,
} from 'vscode-languageserver-protocol/node';
import { ROOT, startServer, type TestClient } from './lspClient';
import { CLICK_PROBLEM_CODES } from '../../server/src/core/click/model';
import { StatusRequest } from '../../server/src/protocol';

/** Diagnostics of the Click parser only (other features add their own to the same documents). */
const parseDiagnostics = <T extends { code?: number | string }>(all: T[]): T[] => all.filter((d) => (CLICK_PROBLEM_CODES as readonly unknown[]).includes(d.code));

const FIXTURES = join(ROOT, 'test', 'fixtures', 'click');

describe('Click language features over LSP', function () {
  this.timeout(60_000);
  let client: TestClient;

  before(async () => {
    client = await startServer();
  });

  after(async () => {
    const code = await client.shutdown();
    assert.strictEqual(code, 0, `server exit code (stderr: ${client.stderr.join('')})`);
  });

  it('advertises the Click features', () => {
    const caps = client.initializeResult.capabilities;
    assert.ok(caps.documentSymbolProvider);
    assert.strictEqual(caps.definitionProvider, true);
    assert.strictEqual(caps.referencesProvider, true);
    assert.ok(caps.foldingRangeProvider);
    assert.deepStrictEqual(caps.semanticTokensProvider?.legend, { tokenTypes: ['class', 'variable', 'parameter'], tokenModifiers: ['declaration', 'readonly'] });
  });

  it('publishes no diagnostics for a valid file, and symbols, definitions, references and folds', async () => {
    const uri = 'file:///work/valid/compounds.click';
    await client.open(uri, readFileSync(join(FIXTURES, 'valid', 'compounds.click'), 'utf8'));
    const diags = await client.waitForDiagnostics(uri);
    assert.deepStrictEqual(parseDiagnostics(diags.diagnostics), []);

    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
    assert.deepStrictEqual(
      symbols.filter((s) => s.kind === 5).map((s) => s.name),
      ['Counted', 'Paced', 'Tagger', 'Tagger', 'Forwarder', 'Splitter'],
    );
    assert.ok(symbols.some((s) => s.name === 'src' && s.detail === 'InfiniteSource'));

    // `split[0] -> fwd ...`: go from the use of `split` to its declaration on line 45.
    const text = readFileSync(join(FIXTURES, 'valid', 'compounds.click'), 'utf8').split('\n');
    const useLine = text.findIndex((l) => l.startsWith('split[0]'));
    const declLine = text.findIndex((l) => l.includes('-> split :: Splitter'));
    const def = (await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: { line: useLine, character: 2 } })) as Location;
    assert.deepStrictEqual(def.range, {
      start: { line: declLine, character: text[declLine].indexOf('split') },
      end: { line: declLine, character: text[declLine].indexOf('split') + 5 },
    });

    const refs = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri },
      position: { line: useLine, character: 1 },
      context: { includeDeclaration: true },
    })) as Location[];
    assert.deepStrictEqual(
      refs.map((r) => r.range.start.line),
      [declLine, useLine, useLine + 1],
    );

    const folds = await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
    assert.ok(folds && folds.some((f) => text[f.startLine].startsWith('elementclass Counted')));

    const tokens = await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } });
    assert.ok(tokens && tokens.data.length > 0 && tokens.data.length % 5 === 0);
  });

  it('publishes parse problems with plain messages and follows edits', async () => {
    const uri = 'file:///work/broken/unclosed.click';
    const text = readFileSync(join(FIXTURES, 'broken', 'unclosed-config.click'), 'utf8');
    await client.open(uri, text);
    const first = await client.waitForDiagnostics(uri, (p) => parseDiagnostics(p.diagnostics).length > 0);
    assert.deepStrictEqual(
      parseDiagnostics(first.diagnostics).map((d) => [d.message, d.range, d.severity, d.source, d.code]),
      [['missing `)` to close the configuration of `psd`', { start: { line: 2, character: 5 }, end: { line: 2, character: 30 } }, 1, 'flowmage', 'syntax']],
    );
    // Close the configuration: the problem goes away after the typing pause.
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 2, character: text.split('\n')[2].length }, end: { line: 2, character: text.split('\n')[2].length } }, text: ')' }],
    });
    await client.waitForDiagnostics(uri, (p) => parseDiagnostics(p.diagnostics).length === 0);
    await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  });

  it('keeps answering after hostile documents', async () => {
    const hostile = [
      '\u0000\u0001\uffff'.repeat(1000),
      '('.repeat(30_000),
      'a :: Idle; a -> ' + '('.repeat(20_000) + ')'.repeat(20_000),
      '{'.repeat(10_000) + '"'.repeat(3),
      'x :: Foo(' + 'a, '.repeat(100_000),
      'e :: Idle -> '.repeat(40_000),
    ];
    for (const [i, text] of hostile.entries()) {
      const uri = `file:///work/hostile/${i}.click`;
      await client.open(uri, text);
      await client.waitForDiagnostics(uri, () => true, 30_000);
      const position = { line: 0, character: 3 };
      await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position });
      await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
      await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } });
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start: { line: 0, character: 1 }, end: { line: 0, character: 4 } }, text: ') -> ((' }],
      });
      await client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    }
    const status = await client.connection.sendRequest(StatusRequest.type);
    assert.ok(status.openDocuments >= 1);
    assert.ok(!client.logs.some((l) => /failed:/.test(l)), client.logs.filter((l) => /failed:/.test(l)).join('\n'));
  });

  it('answers requests on documents that are not Click with nothing', async () => {
    const uri = 'file:///work/element.hh';
    await client.open(uri, 'class X {};', 'cpp');
    const def = await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: { line: 0, character: 7 } });
    assert.strictEqual(def, null);
  });
});
