import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { activateExtension, openFile, screenshot, waitFor } from './util';

const code = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? d.code.value : d.code);

const OPTIMIZED = [
  "// A three-function chain in the shape of FlowMage's Figure 7: a port-scan detector keyed by source",
  '// address, a policer keyed by destination address and a 5-tuple flow counter, on 16 cores.',
  'define($port 0)',
  '',
  'input :: FromDPDKDevice($port, MAXTHREADS 16, NDESC 256, HASHFUNC "src_ip")',
  '    -> Classifier(12/0800)',
  '    -> MarkIPHeader(OFFSET 14)',
  '    -> psd :: IPortScanDetector(SIZE 8000000, SHARED false)',
  '    -> policer :: IPolicer(SIZE 8000000, SHARED true)',
  '    -> counter :: IFlowCounter(SIZE 64000000, SHARED false)',
  '    -> output :: ToDPDKDevice($port, VERBOSE 99, TIMEOUT -1);',
  '',
].join('\n');

describe('Optimize chain on the paper configuration', () => {
  let editor: vscode.TextEditor;
  before(async () => {
    await activateExtension();
    editor = await openFile('paper-chain.click');
  });

  after(async () => {
    // Leave the file as it was for the other suites.
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('warns on the detector and on the policer that their keys are disjoint', async () => {
    const uri = editor.document.uri;
    const disjoint = await waitFor(
      'the disjoint-key warnings',
      () => {
        const d = vscode.languages.getDiagnostics(uri).filter((x) => code(x) === 'disjoint-keys');
        return d.length >= 2 ? d : undefined;
      },
      60_000,
    );
    assert.deepStrictEqual(disjoint.map((d) => editor.document.getText(d.range)).sort(), ['policer', 'psd']);
    for (const d of disjoint) {
      assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
      assert.strictEqual(d.relatedInformation?.length, 1, 'points at the other element');
    }
  });

  it('hovers the port-scan detector with src_ip and its sharing status', async () => {
    const line = editor.document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('psd ::'));
    const position = new vscode.Position(line, editor.document.lineAt(line).text.indexOf('psd') + 1);
    const hovers = await waitFor('a hover with features', async () => {
      const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position);
      const text = (h ?? []).flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /key src_ip/.test(text) ? text : undefined;
    });
    assert.match(hovers, /IPortScanDetector/);
    assert.match(hovers, /As configured \(RSS 5-tuple\): shares state across cores/);
    assert.match(hovers, /Optimized \(RSS src_ip\): \*\*shared-nothing\*\*/);
    // Show the real hover widget for a screenshot the README uses.
    editor.selection = new vscode.Selection(position, position);
    await vscode.commands.executeCommand('editor.action.showHover');
    await screenshot('hover');
  });

  it('Optimize chain rewrites the document to the Figure 7 text, and a second run changes nothing', async () => {
    await vscode.commands.executeCommand('flowmage.optimizeChain', editor.document.uri);
    await waitFor('the optimized text', () => editor.document.getText() === OPTIMIZED, 20_000);
    const second = await vscode.commands.executeCommand<{ changes: number; message?: string }>('flowmage.optimizeChain', editor.document.uri);
    assert.strictEqual(second?.changes, 0);
    assert.match(second?.message ?? '', /already matches/);
    assert.strictEqual(editor.document.getText(), OPTIMIZED);
  });
});
