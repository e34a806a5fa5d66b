import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { activateExtension, openFile, screenshot, waitFor } from './util';
import { CLICK_PROBLEM_CODES } from '../../../server/src/core/click/model';

/** The diagnostics of the Click parser (other features may add theirs, e.g. flow hints). */
function parseDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => (CLICK_PROBLEM_CODES as readonly unknown[]).includes(typeof d.code === 'object' ? d.code.value : d.code));
}

async function symbols(uri: vscode.Uri): Promise<vscode.DocumentSymbol[] | undefined> {
  const result = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
  return result && result.length ? result : undefined;
}

describe('Click files in the editor', () => {
  before(async () => {
    await activateExtension();
  });

  it('outlines a valid configuration and reports no problem', async () => {
    const editor = await openFile('nf-chain.click');
    const uri = editor.document.uri;
    const outline = await waitFor('the document symbols', () => symbols(uri), 60_000);
    assert.deepStrictEqual(
      outline.map((s) => `${s.name}: ${s.detail}`),
      ['$port: 0', 'Guard: elementclass', 'src: FromDPDKDevice', 'guard: Guard', 'psd: IPortScanDetector', 'sink: ToDPDKDevice', 'Discard@5: Discard'],
    );
    const guard = outline.find((s) => s.name === 'Guard');
    assert.deepStrictEqual(
      guard?.children.map((c) => c.name),
      ['count', 'IPFilter@2'],
    );
    // Diagnostics are published as soon as a file opens; give them a moment to arrive, then expect none.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepStrictEqual(parseDiagnostics(uri), []);
    assert.ok(!vscode.languages.getDiagnostics(uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error), 'no error from any feature');
  });

  it('reports an unclosed configuration where it starts', async () => {
    const editor = await openFile('broken-config.click');
    const diagnostics = await waitFor('the diagnostic', () => {
      const d = parseDiagnostics(editor.document.uri);
      return d.length ? d : undefined;
    });
    assert.strictEqual(diagnostics.length, 1);
    const [d] = diagnostics;
    assert.strictEqual(d.message, 'missing `)` to close the configuration of `psd`');
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(d.source, 'flowmage');
    assert.deepStrictEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [2, 5, 2, 30]);
    assert.strictEqual(editor.document.getText(d.range), 'psd :: IPortScanDetector(');
    await screenshot('click-diagnostic');
  });

  it('goes from a use of an element to its declaration', async () => {
    const editor = await openFile('nf-chain.click');
    const lines = editor.document.getText().split('\n');
    const useLine = lines.findIndex((l) => l.startsWith('guard -> Discard'));
    const declLine = lines.findIndex((l) => l.includes('-> guard :: Guard'));
    const locations = await waitFor('the definition', async () => {
      const l = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>(
        'vscode.executeDefinitionProvider',
        editor.document.uri,
        new vscode.Position(useLine, 2),
      );
      return l && l.length ? l : undefined;
    });
    const target = locations[0];
    const range = 'targetRange' in target ? (target.targetSelectionRange ?? target.targetRange) : target.range;
    const uri = 'targetUri' in target ? target.targetUri : target.uri;
    assert.strictEqual(uri.toString(), editor.document.uri.toString());
    assert.deepStrictEqual([range.start.line, range.start.character, range.end.character], [declLine, lines[declLine].indexOf('guard'), lines[declLine].indexOf('guard') + 5]);
  });
});
