import * as assert from 'node:assert';
import { rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { activateExtension, openFile, screenshot, waitFor, workspaceFile } from './util';
import { ElementsRequest, IndexStatusRequest, type IndexStatus } from '../../../server/src/protocol';
import { TALLY_ELEMENTS_FOR_CHILD_INDEX } from '../../support/tallyElements';

const PSD = ['elements', 'elements', 'flowmage', 'iportscandetector.hh'];
const POLICER_HH = ['elements', 'elements', 'flowmage', 'ipolicer.hh'];
const POLICER_CC = ['elements', 'elements', 'flowmage', 'ipolicer.cc'];

function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

async function lensTitles(uri: vscode.Uri): Promise<Array<{ line: number; title: string }>> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.filter((l) => l.command?.title.startsWith('FlowMage')).map((l) => ({ line: l.range.start.line, title: l.command!.title }));
}

describe('C++ elements in the editor', () => {
  before(async () => {
    const api = await activateExtension();
    await api.request(ElementsRequest.method); // waits for the first index of the workspace
  });

  it("indexes the workspace's many element files cold in the server's child process", async () => {
    const api = await activateExtension();
    const before = await api.request<IndexStatus>(IndexStatusRequest.method);
    assert.ok(before.cache?.file, 'the server has a storage folder for the pack');
    // A cold start, whatever earlier tests left in the storage folder.
    rmSync(before.cache.file, { force: true });
    await vscode.commands.executeCommand('flowmage.restartServer');
    await waitFor('the server to run again', () => api.serverState() === 'running', 60_000);
    await api.request(ElementsRequest.method); // waits for the new server's first index
    const status = await api.request<IndexStatus>(IndexStatusRequest.method);
    assert.ok(status.childIndex, JSON.stringify(status));
    assert.ok(status.childIndex.parsed >= 2 * TALLY_ELEMENTS_FOR_CHILD_INDEX, JSON.stringify(status.childIndex));
    assert.ok(status.elements > TALLY_ELEMENTS_FOR_CHILD_INDEX);
    assert.strictEqual(status.state, 'idle');
  });

  it('hovers an element class in a header with its features and evidence links', async () => {
    const editor = await openFile(...PSD);
    assert.strictEqual(editor.document.languageId, 'cpp');
    const line = editor.document
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('class IPortScanDetector'));
    const position = new vscode.Position(line, 8);
    const text = await waitFor('the element hover', async () => {
      const t = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position));
      return t.includes('IPortScanDetector') ? t : undefined;
    });
    assert.match(text, /stateful · key src_ip · per-packet · pointer chasing/);
    assert.match(text, /\[iportscandetector\.cc:\d+\]\(file:\/\/\/.*iportscandetector\.cc#L\d+\)/);
    if (process.env.FLOWMAGE_SCREENSHOTS) {
      editor.revealRange(new vscode.Range(line - 1, 0, line - 1, 0), vscode.TextEditorRevealType.AtTop);
      editor.selection = new vscode.Selection(position, position);
      await vscode.commands.executeCommand('editor.action.showHover');
      await new Promise((r) => setTimeout(r, 1000)); // let the hover render before the picture
      await screenshot('cpp-hover');
    }
  });

  it('shows a CodeLens with the summary above the element class', async () => {
    const editor = await openFile(...POLICER_HH);
    const classLine = editor.document
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('class IPolicer'));
    const lenses = await waitFor('the CodeLens', async () => {
      const l = await lensTitles(editor.document.uri);
      return l.length ? l : undefined;
    });
    assert.deepStrictEqual(lenses, [{ line: classLine, title: 'FlowMage: stateful · key dst_ip · per-packet' }]);
    // The lens is clickable: its command puts the cursor on the class name (and shows the hover).
    const [lens] = ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri)) ?? []).filter((l) =>
      l.command?.title.startsWith('FlowMage'),
    );
    await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []));
    const active = vscode.window.activeTextEditor!;
    assert.strictEqual(active.document.getText(active.document.getWordRangeAtPosition(active.selection.active)), 'IPolicer');
    if (process.env.FLOWMAGE_SCREENSHOTS) {
      editor.revealRange(new vscode.Range(classLine - 8, 0, classLine - 8, 0), vscode.TextEditorRevealType.AtTop);
      await new Promise((r) => setTimeout(r, 500));
      await screenshot('cpp-codelens');
    }
  });

  it('re-analyzes an element when its source is saved', async () => {
    const cc = await vscode.workspace.openTextDocument(workspaceFile(...POLICER_CC));
    const original = cc.getText();
    const at = original.indexOf('iph->ip_dst.s_addr');
    assert.ok(at > 0);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(cc.uri, new vscode.Range(cc.positionAt(at), cc.positionAt(at + 'iph->ip_dst'.length)), 'iph->ip_src');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await cc.save());
    const hh = workspaceFile(...POLICER_HH);
    try {
      await waitFor('the lens to follow the save', async () => {
        const l = await lensTitles(hh);
        return l[0]?.title === 'FlowMage: stateful · key src_ip · per-packet' ? l : undefined;
      });
    } finally {
      const revert = new vscode.WorkspaceEdit();
      revert.replace(cc.uri, new vscode.Range(cc.positionAt(0), cc.positionAt(cc.getText().length)), original);
      await vscode.workspace.applyEdit(revert);
      await cc.save();
    }
    await waitFor('the lens to come back', async () => {
      const l = await lensTitles(hh);
      return l[0]?.title === 'FlowMage: stateful · key dst_ip · per-packet' ? l : undefined;
    });
  });
});
