// A cloned repository must not make the server write outside the workspace: a `.flowmage`
// symlink, or a flowmage.store.path such as `../victim/x`, leaves the store in memory with a
// warning; a path inside the extension's storage (sent by the client) is allowed.
import * as assert from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestClient } from './lspClient';
import { ElementsRequest } from '../../server/src/protocol';

function element(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'probe.hh'),
    '#include <click/element.hh>\nclass Probe : public Element { public:\n  const char *class_name() const override { return "Probe"; }\n  void push(int, Packet *p) override { output(0).push(p); }\n};\n',
  );
}

describe('where the server keeps the feature store', function () {
  this.timeout(60_000);
  let base: string;
  let ws: string;
  let outside: string;
  let client: TestClient | undefined;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'flowmage-storepath-'));
    ws = join(base, 'ws');
    outside = join(base, 'victim');
    element(ws);
    mkdirSync(outside);
  });
  afterEach(async () => {
    await client?.shutdown();
    client = undefined;
    rmSync(base, { recursive: true, force: true });
  });

  /** Starts the server, waits for the index, then shuts down (which saves the store). */
  async function indexAndStop(settings: Record<string, unknown> | undefined, initializationOptions?: Record<string, unknown>): Promise<string[]> {
    client = await startServer({ workspaceFolder: ws, settings, initializationOptions });
    const list = await client.connection.sendRequest(ElementsRequest.type, {});
    assert.deepStrictEqual(
      list.map((e) => e.name),
      ['Probe'],
    );
    const logs = client.logs;
    await client.shutdown();
    client = undefined;
    return logs;
  }

  it('does not follow a `.flowmage` symlink shipped in the repository', async () => {
    symlinkSync(outside, join(ws, '.flowmage'));
    const logs = await indexAndStop(undefined);
    assert.deepStrictEqual(readdirSync(outside), [], 'nothing written outside the workspace');
    assert.ok(
      logs.some((l) => /\.flowmage is a symbolic link/.test(l)),
      logs.join('\n'),
    );
  });

  it('refuses a store path that leads outside the workspace, leaving the file there untouched', async () => {
    writeFileSync(join(outside, '.bashrc'), 'alias ls="ls -F"\n');
    for (const path of ['../victim/.bashrc', join(outside, '.bashrc')]) {
      const logs = await indexAndStop({ store: { path } });
      assert.strictEqual(readFileSync(join(outside, '.bashrc'), 'utf8'), 'alias ls="ls -F"\n');
      assert.deepStrictEqual(readdirSync(outside), ['.bashrc'], path);
      assert.ok(
        logs.some((l) => /flowmage\.store\.path .* outside the workspace folder/.test(l)),
        logs.join('\n'),
      );
    }
  });

  it('writes the store inside the extension storage the client names', async () => {
    const storage = join(base, 'storage');
    const file = join(storage, 'features.json');
    await indexAndStop({ store: { path: file } }, { storagePath: storage });
    assert.ok(existsSync(file));
    assert.ok(JSON.parse(readFileSync(file, 'utf8')).elements.Probe);
  });
});
