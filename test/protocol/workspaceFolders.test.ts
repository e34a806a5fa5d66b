// Workspace folders added or removed while the server runs (advertised with changeNotifications):
// without flowmage.sourcePaths the index follows the folders.
import * as assert from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DidChangeWorkspaceFoldersNotification } from 'vscode-languageserver-protocol/node';
import { startServer, type TestClient } from './lspClient';
import { ElementsRequest } from '../../server/src/protocol';

function element(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${name.toLowerCase()}.hh`),
    `#include <click/element.hh>\nclass ${name} : public Element { public:\n  const char *class_name() const override { return "${name}"; }\n  void push(int, Packet *p) override { output(0).push(p); }\n};\n`,
  );
}

describe('workspace folder changes', function () {
  this.timeout(60_000);
  let base: string;
  let client: TestClient | undefined;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'flowmage-folders-'));
    element(join(base, 'one'), 'First');
    element(join(base, 'two'), 'Second');
  });
  afterEach(async () => {
    await client?.shutdown();
    client = undefined;
    rmSync(base, { recursive: true, force: true });
  });

  async function elementsEventually(c: TestClient, want: string[]): Promise<string[]> {
    let names: string[] = [];
    for (const end = Date.now() + 20_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      names = (await c.connection.sendRequest(ElementsRequest.type, {})).map((e) => e.name).sort();
      if (names.join() === want.join()) break;
    }
    return names;
  }

  it('re-indexes when a folder is added or removed and flowmage.sourcePaths is empty', async () => {
    client = await startServer({ workspaceFolder: join(base, 'one') });
    assert.deepStrictEqual(await elementsEventually(client, ['First']), ['First']);
    const two = { uri: pathToFileURL(join(base, 'two')).toString(), name: 'two' };
    const one = { uri: pathToFileURL(join(base, 'one')).toString(), name: 'one' };
    await client.connection.sendNotification(DidChangeWorkspaceFoldersNotification.type, { event: { added: [two], removed: [] } });
    assert.deepStrictEqual(await elementsEventually(client, ['First', 'Second']), ['First', 'Second']);
    await client.connection.sendNotification(DidChangeWorkspaceFoldersNotification.type, { event: { added: [], removed: [one] } });
    assert.deepStrictEqual(await elementsEventually(client, ['Second']), ['Second']);
  });

  it('keeps the configured source paths when folders change', async () => {
    client = await startServer({ workspaceFolder: join(base, 'one'), settings: { sourcePaths: [join(base, 'one')] } });
    assert.deepStrictEqual(await elementsEventually(client, ['First']), ['First']);
    const two = { uri: pathToFileURL(join(base, 'two')).toString(), name: 'two' };
    await client.connection.sendNotification(DidChangeWorkspaceFoldersNotification.type, { event: { added: [two], removed: [] } });
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepStrictEqual(await elementsEventually(client, ['First']), ['First']);
  });
});
