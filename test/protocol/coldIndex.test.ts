// A cold start on a tree with many element files (issue #12): the server hands the full index to a
// child process (core/index/indexProcess.ts), answers from the open document's classes meanwhile,
// then loads the child's pack as on a warm start; the next start parses nothing at all.
import * as assert from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { IndexStatusRequest } from '../../server/src/protocol';
import { generateTree } from '../bench/analysis';
import { startServer, waitFor, type TestClient } from './lspClient';
import { indexProcessOf } from '../support/indexProcesses';
import { TALLY_ELEMENTS_FOR_CHILD_INDEX, writeTallyElements } from '../support/tallyElements';

const ELEMENTS = TALLY_ELEMENTS_FOR_CHILD_INDEX;

/** The status once the whole tree is indexed and analyzed. */
const wholeIndex = (client: TestClient) =>
  waitFor(
    'the whole index',
    async () => {
      const s = await client.connection.sendRequest(IndexStatusRequest.type);
      return s.state === 'idle' && !s.partial && s.elements >= ELEMENTS ? s : undefined;
    },
    90_000,
  );

describe('Cold start on a large tree: the index is built in a child process', function () {
  this.timeout(120_000);
  let dir: string;
  const clients: TestClient[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-cold-'));
    writeTallyElements(join(dir, 'elements', 'tally'), ELEMENTS);
    writeFileSync(join(dir, 'chain.click'), 'FromDevice(eth0) -> t :: SourceTally7 -> Discard;\n');
  });
  after(async () => {
    for (const c of clients) await c.shutdown().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(storage: string) {
    const client = await startServer({ workspaceFolder: dir, initializationOptions: { trusted: true, storagePath: storage } });
    clients.push(client);
    const uri = pathToFileURL(join(dir, 'chain.click')).href;
    await client.open(uri, 'FromDevice(eth0) -> t :: SourceTally7 -> Discard;\n');
    const status = await wholeIndex(client);
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 25 } });
    return { client, status, hover: (hover?.contents as MarkupContent | undefined)?.value ?? '' };
  }

  it('builds the pack in a child process on a cold start, and parses nothing on the next one', async () => {
    const storage = join(dir, 'storage');
    const cold = await start(storage);
    const childLog = cold.client.logs.find((l) => /a child process indexed/.test(l));
    assert.ok(childLog, cold.client.logs.join('\n'));
    assert.match(childLog!, new RegExp(`indexed ${2 * ELEMENTS} C\\+\\+ files \\(${2 * ELEMENTS} parsed\\) and analyzed ${ELEMENTS} elements`));
    assert.match(cold.hover, /src_ip/, cold.hover);
    assert.strictEqual(cold.status.childIndex?.parsed, 2 * ELEMENTS, 'the status says what the child did');
    assert.ok((cold.status.childIndex?.cpuMs ?? 0) > 0);
    // The open document's class came first from the child's early answer: the server parsed nothing itself.
    assert.ok(
      cold.client.logs.some((l) => /the index process analyzed SourceTally7 first/.test(l)),
      cold.client.logs.join('\n'),
    );
    assert.strictEqual(cold.status.parsedHere, 0);
    await cold.client.shutdown();

    const warm = await start(storage);
    assert.ok(!warm.client.logs.some((l) => /child process/.test(l)), warm.client.logs.join('\n'));
    assert.strictEqual(warm.status.cache?.modelMisses, 0);
    assert.strictEqual(warm.status.childIndex, undefined);
    assert.match(warm.hover, /src_ip/, warm.hover);
  });

  it('asks the child first for the classes of a document opened while it works, and parses nothing itself', async () => {
    const big = mkdtempSync(join(tmpdir(), 'flowmage-cold-opened-'));
    try {
      // A tree large enough that the child is still at work when the second document opens.
      generateTree(big);
      writeTallyElements(join(big, 'elements', 'tally'), 1);
      const client = await startServer({ workspaceFolder: big, initializationOptions: { trusted: true, storagePath: join(big, 'storage') } });
      clients.push(client);
      await client.open(pathToFileURL(join(big, 'first.click')).href, 'FromDevice(eth0) -> SourceTally0 -> Discard;\n');
      await waitFor('the first early answer', async () => (client.logs.some((l) => /the index process analyzed SourceTally0 first/.test(l)) ? true : undefined), 60_000);
      const status = await client.connection.sendRequest(IndexStatusRequest.type);
      assert.ok(status.partial, 'the child was still at work when the second document opened');
      await client.open(pathToFileURL(join(big, 'second.click')).href, 'FromDevice(eth0) -> GenElement650 -> Discard;\n');
      await waitFor(
        'the answer for the second document',
        async () => (client.logs.some((l) => /the index process analyzed GenElement650 first/.test(l)) ? true : undefined),
        60_000,
      );
      const done = await waitFor(
        'the whole index',
        async () => {
          const s = await client.connection.sendRequest(IndexStatusRequest.type);
          return s.state === 'idle' && !s.partial && s.elements > 700 ? s : undefined;
        },
        90_000,
      );
      assert.strictEqual(done.parsedHere, 0, 'the server parsed no C++ file');
      assert.ok(done.childIndex, 'the child built the index');
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  });

  it("when the child dies, the server indexes the tree itself and still shows the open document's classes", async () => {
    const big = mkdtempSync(join(tmpdir(), 'flowmage-cold-killed-'));
    try {
      // A tree large enough that the child is still at work when it is killed.
      generateTree(big);
      writeTallyElements(join(big, 'elements', 'tally'), 1);
      writeFileSync(join(big, 'chain.click'), 'FromDevice(eth0) -> t :: SourceTally0 -> Discard;\n');
      const client = await startServer({ workspaceFolder: big, initializationOptions: { trusted: true, storagePath: join(big, 'storage') } });
      clients.push(client);
      const uri = pathToFileURL(join(big, 'chain.click')).href;
      await client.open(uri, 'FromDevice(eth0) -> t :: SourceTally0 -> Discard;\n');
      const childPid = await waitFor('the index process', async () => indexProcessOf(client.process.pid!));
      process.kill(childPid, 'SIGKILL');
      const status = await waitFor(
        'the whole index',
        async () => {
          const s = await client.connection.sendRequest(IndexStatusRequest.type);
          return s.state === 'idle' && !s.partial && s.elements > 700 ? s : undefined;
        },
        90_000,
      );
      assert.ok(
        client.logs.some((l) => /indexing in a child process failed \(.*the index process stopped \(SIGKILL\)/.test(l)),
        client.logs.join('\n'),
      );
      assert.strictEqual(status.childIndex, undefined, 'no child index was loaded');
      assert.ok(status.parsedHere > 700, `the server parsed the tree itself (${status.parsedHere})`);
      const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 25 } });
      assert.match((hover?.contents as MarkupContent | undefined)?.value ?? '', /src_ip/);
    } finally {
      rmSync(big, { recursive: true, force: true });
    }
  });

  it('a child started ahead of need (a storage folder without a pack) is stopped once the tree turns out small', async () => {
    const small = mkdtempSync(join(tmpdir(), 'flowmage-cold-small-'));
    try {
      writeTallyElements(join(small, 'elements'), 3);
      const client = await startServer({
        workspaceFolder: small,
        settings: { log: { level: 'debug' } },
        initializationOptions: { trusted: true, storagePath: join(small, 'storage') },
      });
      clients.push(client);
      const status = await waitFor('the index', async () => {
        const s = await client.connection.sendRequest(IndexStatusRequest.type);
        return s.state === 'idle' && !s.partial && s.elements > 0 ? s : undefined;
      });
      assert.strictEqual(status.elements, 3);
      assert.strictEqual(status.childIndex, undefined, 'indexed in the server');
      // (On a tree this small the child may have finished before the server listed it: its pack is not taken.)
      assert.ok(
        client.logs.some((l) => /stopped the index process.*indexed here/.test(l)),
        client.logs.join('\n'),
      );
      await waitFor('the unneeded child to stop', async () => (indexProcessOf(client.process.pid!) === undefined ? true : undefined));
    } finally {
      rmSync(small, { recursive: true, force: true });
    }
  });

  it('without a storage folder (no pack to write) the index is built in the server', async () => {
    const client = await startServer({ workspaceFolder: dir, initializationOptions: { trusted: true } });
    clients.push(client);
    await wholeIndex(client);
    assert.ok(!client.logs.some((l) => /child process/.test(l)), client.logs.join('\n'));
  });
});
