import * as assert from 'node:assert';
import { startServer } from './lspClient';

describe('language server over stdio', function () {
  this.timeout(20_000);

  it('initializes, advertises incremental sync, tracks a document and shuts down cleanly', async () => {
    const client = await startServer();
    const caps = client.initializeResult.capabilities;
    assert.strictEqual(client.initializeResult.serverInfo?.name, 'flowmage');
    assert.deepStrictEqual(caps.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    await client.open('file:///tmp/a.click', 'src :: InfiniteSource -> Discard;\n');
    const status = await client.connection.sendRequest<{ openDocuments: number; trusted: boolean }>('flowmage/status');
    assert.strictEqual(status.openDocuments, 1);
    assert.strictEqual(status.trusted, true);
    const code = await client.shutdown();
    assert.strictEqual(code, 0, `server exit code (stderr: ${client.stderr.join('')})`);
  });

  it('honours an untrusted workspace from initializationOptions', async () => {
    const client = await startServer({ initializationOptions: { trusted: false } });
    const status = await client.connection.sendRequest<{ trusted: boolean }>('flowmage/status');
    assert.strictEqual(status.trusted, false);
    await client.shutdown();
  });

  it('refuses to start without a transport argument', async () => {
    const { spawnSync } = await import('node:child_process');
    const { SERVER } = await import('./lspClient');
    const r = spawnSync(process.execPath, [SERVER], { encoding: 'utf8' });
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /usage: node dist\/server.js --stdio/);
  });
});
