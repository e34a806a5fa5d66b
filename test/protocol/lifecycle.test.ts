import * as assert from 'node:assert';
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from 'vscode-languageserver-protocol/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateTree } from '../bench/analysis';
import { outcome, startServer } from './lspClient';
import { ChainGraphRequest, ElementsRequest, IndexStatusRequest, StatusRequest } from '../../server/src/protocol';

describe('language server over stdio', function () {
  this.timeout(20_000);

  it('initializes, advertises incremental sync, tracks a document and shuts down cleanly', async () => {
    const client = await startServer();
    const caps = client.initializeResult.capabilities;
    assert.strictEqual(client.initializeResult.serverInfo?.name, 'flowmage');
    assert.deepStrictEqual(caps.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    await client.open('file:///tmp/a.click', 'src :: InfiniteSource -> Discard;\n');
    const status = await client.connection.sendRequest(StatusRequest.type);
    assert.strictEqual(status.openDocuments, 1);
    assert.strictEqual(status.trusted, true);
    const code = await client.shutdown();
    assert.strictEqual(code, 0, `server exit code (stderr: ${client.stderr.join('')})`);
  });

  it('honours an untrusted workspace from initializationOptions', async () => {
    const client = await startServer({ initializationOptions: { trusted: false } });
    const status = await client.connection.sendRequest(StatusRequest.type);
    assert.strictEqual(status.trusted, false);
    await client.shutdown();
  });

  it('answers a request cancelled before it started with RequestCancelled, and never runs it', async () => {
    const client = await startServer();
    try {
      const uri = 'file:///tmp/cancelled.click';
      await client.open(uri, 'src :: InfiniteSource -> c :: Counter -> Discard;\n');
      const hover = { textDocument: { uri }, position: { line: 0, character: 1 } };
      // A burst: the server reads many requests (and the cancellations of every other one) before it
      // runs them, as when an editor re-asks a hover on every keystroke while the server is busy.
      const replies = Array.from({ length: 300 }, (_, i) => {
        const source = new CancellationTokenSource();
        const reply = client.connection.sendRequest('textDocument/hover', hover, source.token).then(
          (value) => ({ i, value, code: undefined as number | undefined }),
          (err: unknown) => ({ i, value: undefined, code: err instanceof ResponseError ? err.code : -1 }),
        );
        if (i % 2) source.cancel();
        return reply;
      });
      const results = await Promise.all(replies);
      const cancelled = results.filter((r) => r.code === LSPErrorCodes.RequestCancelled);
      assert.ok(cancelled.length > 0, 'some requests were still waiting when their cancellation came');
      assert.ok(
        cancelled.every((r) => r.i % 2 === 1),
        'only the cancelled ones',
      );
      assert.ok(
        results.every((r) => r.code === undefined || r.code === LSPErrorCodes.RequestCancelled),
        JSON.stringify(results.find((r) => r.code !== undefined && r.code !== LSPErrorCodes.RequestCancelled)),
      );
      assert.ok(
        results.filter((r) => r.i % 2 === 0).every((r) => r.value),
        'the others were answered',
      );
    } finally {
      await client.shutdown();
    }
  });

  it('answers a request cancelled while it runs (waiting for the index) with RequestCancelled at once; the index goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowmage-cancel-running-'));
    generateTree(dir);
    const client = await startServer({ workspaceFolder: dir, settings: { store: { path: '' } } });
    try {
      const uri = pathToFileURL(join(dir, 'chain.click')).href;
      await client.open(uri, 'FromDevice(eth0) -> Discard;\n');
      const requests: Array<{ method: string; params: unknown }> = [
        // Waits for the whole index of the generated tree.
        { method: ElementsRequest.method, params: undefined },
        // Waits for the index too, then for the document's flow analysis.
        { method: ChainGraphRequest.method, params: { uri } },
      ];
      for (const { method, params } of requests) {
        const source = new CancellationTokenSource();
        const reply = outcome(client.connection.sendRequest(method, params, source.token));
        await new Promise((r) => setTimeout(r, 50));
        const t0 = Date.now();
        source.cancel();
        assert.strictEqual(await reply, LSPErrorCodes.RequestCancelled, method);
        assert.ok(Date.now() - t0 < 2000, `${method} answered ${Date.now() - t0} ms after its cancellation`);
      }
      const status = await client.connection.sendRequest(IndexStatusRequest.type);
      assert.strictEqual(status.state, 'indexing', 'the index was still under way: the requests were cancelled while they waited');
      const all = await client.connection.sendRequest(ElementsRequest.type, undefined);
      assert.ok(all.length > 100, `the index went on (${all.length} elements)`);
    } finally {
      await client.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses every request after shutdown with InvalidRequest, and still exits on exit', async () => {
    const client = await startServer();
    try {
      const uri = 'file:///tmp/after-shutdown.click';
      await client.open(uri, 'src :: InfiniteSource -> Discard;\n');
      const hover = { textDocument: { uri }, position: { line: 0, character: 9 } };
      assert.ok(await client.connection.sendRequest('textDocument/hover', hover), 'hover answers before shutdown');
      await client.connection.sendRequest('shutdown');
      for (const [method, params] of [
        ['textDocument/hover', hover],
        [StatusRequest.method, undefined],
        ['textDocument/documentSymbol', { textDocument: { uri } }],
        ['shutdown', undefined],
      ] as const) {
        await assert.rejects(client.connection.sendRequest(method, params), (err: { code?: number; message?: string }) => {
          assert.strictEqual(err.code, -32600, `${method}: ${err.message}`);
          return true;
        });
      }
      const exited = new Promise<number | null>((res) => client.process.once('exit', (code) => res(code)));
      await client.connection.sendNotification('exit');
      assert.strictEqual(await exited, 0);
    } finally {
      client.connection.dispose();
      if (client.process.exitCode === null) client.process.kill();
    }
  });

  it('refuses to start without a transport argument', async () => {
    const { spawnSync } = await import('node:child_process');
    const { SERVER } = await import('./lspClient');
    const r = spawnSync(process.execPath, [SERVER], { encoding: 'utf8' });
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /usage: node dist\/server.js --stdio/);
  });
});
