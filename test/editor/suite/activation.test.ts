import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { activateExtension, openFile, screenshot, waitFor } from './util';
import { StatusRequest } from '../../../server/src/protocol';

describe('extension activation', () => {
  it('activates on a .click file and starts the server', async () => {
    const editor = await openFile('paper-chain.click');
    assert.strictEqual(editor.document.languageId, 'click');
    const api = await activateExtension();
    assert.strictEqual(api.serverState(), 'running');
    const status = await waitFor('the server to see the open document', async () => {
      const s = await api.request<{ openDocuments: number; version: string; trusted: boolean }>(StatusRequest.method);
      return s.openDocuments >= 1 ? s : undefined;
    });
    assert.match(status.version, /^\d+\.\d+\.\d+/);
    assert.strictEqual(status.trusted, true);
  });

  it('registers its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['flowmage.restartServer', 'flowmage.showLog']) assert.ok(commands.includes(c), `${c} is registered`);
  });

  it('restarts the server on request and comes back running', async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand('flowmage.restartServer');
    await waitFor('the server to run again', () => api.serverState() === 'running', 60_000);
    const s = await api.request<{ openDocuments: number }>(StatusRequest.method);
    assert.ok(s.openDocuments >= 1, 'documents are re-synchronized after a restart');
  });

  it('restarts the server after it crashes', async () => {
    const api = await activateExtension();
    const before = await api.request<{ pid: number }>(StatusRequest.method);
    process.kill(before.pid, 'SIGKILL');
    const after = await waitFor(
      'a new server process',
      async () => {
        if (api.serverState() !== 'running') return undefined;
        const s = await api.request<{ pid: number }>(StatusRequest.method).catch(() => undefined);
        return s && s.pid !== before.pid ? s : undefined;
      },
      60_000,
    );
    assert.notStrictEqual(after.pid, before.pid);
  });

  after(async () => {
    await openFile('paper-chain.click');
    await screenshot('activation');
  });
});
