// The index's child process forked as the server loads (server/src/lsp/earlyIndexProcess.ts): when
// the client names a storage folder without a pack in the server's environment, the child runs
// before initialize is even sent; initialize takes it for that folder, stops it for another, and a
// server that goes away takes it along. With a pack there, nothing is forked.
import * as assert from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACK_NAME } from '../../server/src/core/index/packLocation';
import { IndexStatusRequest, SERVER_ENV, SERVER_NODE_ARGS, STORAGE_HINT_ENV } from '../../server/src/protocol';
import { SERVER, startServer, waitFor, type TestClient } from './lspClient';
import { indexProcessOf, isRunning } from '../support/indexProcesses';
import { TALLY_ELEMENTS_FOR_CHILD_INDEX, writeTallyElements } from '../support/tallyElements';

/** The server alone, never sent a message: what it does as it loads. */
function bareServer(storageHint: string): ChildProcess {
  return spawn(process.execPath, [...SERVER_NODE_ARGS, SERVER, '--stdio'], {
    env: { ...process.env, ...SERVER_ENV, [STORAGE_HINT_ENV]: storageHint },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
}

describe('the index process forked as the server loads', function () {
  this.timeout(120_000);
  let dir: string;
  const servers: ChildProcess[] = [];
  const clients: TestClient[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-early-'));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.shutdown().catch(() => undefined);
    for (const s of servers.splice(0)) s.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs before initialize when the storage folder named in the environment has no pack, and ends with the server', async () => {
    const server = bareServer(join(dir, 'storage'));
    servers.push(server);
    const child = await waitFor('the early index process', () => indexProcessOf(server.pid!), 10_000);
    server.kill();
    await waitFor('the index process to end with its server', () => (isRunning(child) ? undefined : true), 10_000);
  });

  it('is not forked when that folder holds a pack (the start is warm)', async () => {
    const storage = join(dir, 'storage');
    mkdirSync(join(storage, 'index'), { recursive: true });
    writeFileSync(join(storage, 'index', PACK_NAME), '');
    const control = bareServer(join(dir, 'other'));
    const server = bareServer(storage);
    servers.push(control, server);
    // The control, started at the same time without a pack, has its child: by then this one would have too.
    await waitFor('the control server to fork', () => indexProcessOf(control.pid!), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.strictEqual(indexProcessOf(server.pid!), undefined);
  });

  it('is taken by initialize for that folder: the cold index is built by it', async () => {
    writeTallyElements(join(dir, 'ws', 'elements', 'tally'), TALLY_ELEMENTS_FOR_CHILD_INDEX);
    const client = await startServer({
      workspaceFolder: join(dir, 'ws'),
      settings: { log: { level: 'debug' } },
      initializationOptions: { trusted: true, storagePath: join(dir, 'storage') },
    });
    clients.push(client);
    const status = await waitFor(
      'the whole index',
      async () => {
        const s = await client.connection.sendRequest(IndexStatusRequest.type);
        return s.state === 'idle' && !s.partial && s.elements > 0 ? s : undefined;
      },
      90_000,
    );
    assert.ok(status.childIndex, 'built by a child process');
    assert.strictEqual(status.parsedHere, 0);
    assert.ok(
      client.logs.some((l) => /the index is built by the process started as the server loaded/.test(l)),
      client.logs.join('\n'),
    );
  });

  it('is stopped by initialize for another folder, and the server goes on', async () => {
    writeTallyElements(join(dir, 'ws', 'elements', 'tally'), 3);
    const client = await startServer({
      workspaceFolder: join(dir, 'ws'),
      initializationOptions: { trusted: true, storagePath: join(dir, 'storage') },
      env: { [STORAGE_HINT_ENV]: join(dir, 'elsewhere') },
    });
    clients.push(client);
    const status = await waitFor('the index', async () => {
      const s = await client.connection.sendRequest(IndexStatusRequest.type);
      return s.state === 'idle' && !s.partial && s.elements > 0 ? s : undefined;
    });
    assert.strictEqual(status.elements, 3);
    await waitFor('no index process left', () => (indexProcessOf(client.process.pid!) === undefined ? true : undefined), 10_000);
  });
});
