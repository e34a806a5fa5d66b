import * as assert from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ChainRendered } from '../../../client/src/chainView';
import type { FlowMageApi } from '../../../client/src/extension';
import { syntheticTrace } from '../../../server/src/core/rss/synthetic';
import { ethernetFrame, writePcap } from '../../support/captureWriter';
import { activateExtension, clickInWebview, openFile, screenshot, waitFor, workspaceFile } from './util';

describe('Chain view on the paper configuration', () => {
  let api: FlowMageApi;
  let editor: vscode.TextEditor;
  let original: string;
  before(async () => {
    api = await activateExtension();
    editor = await openFile('paper-chain.click');
    original = editor.document.getText();
    // A capture in the workspace, for the per-queue load bars.
    const trace = syntheticTrace({ packets: 20_000, connections: 2000, seed: 11 });
    const frames = Array.from({ length: trace.length }, (_, i) =>
      ethernetFrame({ src: trace.srcIp[i], dst: trace.dstIp[i], sport: trace.srcPort[i], dport: trace.dstPort[i], proto: trace.protocol[i] }),
    );
    writeFileSync(workspaceFile('chain-view-trace.pcap').fsPath, writePcap(frames));
  });

  after(async () => {
    // Put the text back and save it (unchanged on disk), whichever editor has focus: the later
    // suites open this file and must find it whole and clean.
    const doc = editor.document;
    if (doc.getText() !== original) {
      const all = new vscode.WorkspaceEdit();
      all.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), original);
      await vscode.workspace.applyEdit(all);
    }
    if (doc.isDirty) await doc.save();
    assert.strictEqual(doc.getText(), original);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  it('puts a Show chain lens on the input device that opens the view on its chain', async () => {
    const lens = await waitFor(
      'the Show chain lens',
      async () => {
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
        return (lenses ?? []).find((l) => l.command?.command === 'flowmage.showChain');
      },
      60_000,
    );
    assert.strictEqual(
      lens.range.start.line,
      editor.document
        .getText()
        .split('\n')
        .findIndex((l) => l.startsWith('input ::')),
    );
    const drawn = await vscode.commands.executeCommand<ChainRendered | undefined>(lens.command!.command, ...(lens.command!.arguments ?? []));
    assert.ok(drawn, 'the webview reports what it drew');
    assert.strictEqual(drawn.input, 'input');
  });

  it('"FlowMage: Show Chain" draws every element, the disjoint-key conflict and, with a trace, the queue bars', async () => {
    await vscode.window.showTextDocument(editor.document, vscode.ViewColumn.One);
    // Room for the picture (the view lays the chain out to the panel's width), without what earlier
    // suites left on screen (a hover, notifications).
    await vscode.commands.executeCommand('editor.action.hideHover');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    const drawn = await waitFor(
      'a drawing with the whole chain and the load bars',
      async () => {
        const r = await vscode.commands.executeCommand<ChainRendered | undefined>('flowmage.showChain', editor.document.uri, undefined, { trace: 'chain-view-trace.pcap' });
        return r && r.nodes.includes('counter') && r.loadBars > 0 ? r : undefined;
      },
      60_000,
    );
    for (const id of ['input', 'psd', 'policer', 'counter', 'output']) assert.ok(drawn.nodes.includes(id), `${id} is drawn (${drawn.nodes.join(', ')})`);
    assert.strictEqual(drawn.nodes.length, 7, 'the classifier and the header marker too');
    assert.strictEqual(drawn.conflicts, 1, 'one conflict: the detector (src_ip) and the policer (dst_ip)');
    assert.strictEqual(drawn.loadBars, 32, 'current and planned bars for each of the 16 queues');
    await screenshot('chain-view');
  });

  it('clicking a node selects its declaration in the editor', async function () {
    const clicked = await clickInWebview('chain-psd', 'g.node[data-id="psd"]');
    if (clicked === undefined) return this.skip(); // only the code-server runner can click in a webview
    const selected = await waitFor('the detector selected in the editor', () => {
      const e = vscode.window.visibleTextEditors.find((x) => x.document.uri.toString() === editor.document.uri.toString());
      const text = e?.document.getText(e.selection);
      return text?.startsWith('psd ::') ? text : undefined;
    });
    assert.strictEqual(selected, 'psd :: IPortScanDetector(SIZE 8000000)');
  });

  it('redraws when the document changes', async () => {
    const line = editor.document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('policer ::'));
    await editor.edit((b) => b.delete(editor.document.lineAt(line).rangeIncludingLineBreak));
    const redrawn = await waitFor(
      'a drawing without the policer',
      () => {
        const r = api.chainViewRendered();
        return r && !r.nodes.includes('policer') && r.nodes.includes('counter') ? r : undefined;
      },
      30_000,
    );
    assert.strictEqual(redrawn.conflicts, 0, 'without the policer no keys are disjoint');
  });
});
