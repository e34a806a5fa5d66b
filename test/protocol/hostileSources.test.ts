// The server against a hostile source tree: an oversized file, a file nested too deep, a FIFO and
// elements named __proto__/constructor. The index finishes, the user is told which files were
// skipped, every other element gets its features, and hover on a .click document still works.
import * as assert from 'node:assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { deeplyNestedElement, fixtureCopy, mkfifo, oversizedElement, PROTOTYPE_NAMED_ELEMENTS, write } from '../support/hostileTree';
import { startServer, type TestClient } from './lspClient';
import { ElementsRequest, IndexStatusRequest } from '../../server/src/protocol';

describe('hostile C++ sources over LSP', function () {
  this.timeout(60_000);
  let dir: string;
  let client: TestClient;

  before(async () => {
    dir = fixtureCopy('flowmage-lsp-hostile-');
    write(join(dir, 'huge.cc'), oversizedElement(96 * 1024));
    write(join(dir, 'deep.cc'), deeplyNestedElement(5000));
    mkfifo(join(dir, 'pipe.hh'));
    write(join(dir, 'prototype.hh'), PROTOTYPE_NAMED_ELEMENTS);
    client = await startServer({ workspaceFolder: dir, settings: { index: { maxFileSizeKB: 64 } } });
  });

  after(async () => {
    await client?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes indexing, analyzes every other element and tells the user what was skipped', async () => {
    const list = await client.connection.sendRequest(ElementsRequest.type, {});
    const byName = new Map(list.map((e) => [e.name, e]));
    assert.strictEqual(byName.get('IPortScanDetector')?.summary, 'stateful · key src_ip · per-packet · pointer chasing');
    assert.strictEqual(byName.get('IPolicer')?.summary, 'stateful · key dst_ip · per-packet');
    assert.strictEqual(byName.get('constructor')?.summary, 'stateful · key src_ip · per-packet');
    assert.strictEqual(byName.get('__proto__')?.summary, 'stateful · key dst_ip · per-packet');
    assert.ok(!byName.has('HugeElement') && !byName.has('DeepElement'));
    const status = await client.connection.sendRequest(IndexStatusRequest.type);
    assert.strictEqual(status.state, 'idle');
    for (const re of [/^huge\.cc skipped: 9\d KB is over the 64 KB limit/, /^deep\.cc skipped: cannot be analyzed/, /^pipe\.hh skipped: not a regular file$/]) {
      assert.ok(
        status.problems.some((p) => re.test(p)),
        `${re} in ${status.problems.join(' | ')}`,
      );
      assert.ok(
        client.logs.some((l) => re.test(l.replace(/^\[warn\] /, ''))),
        `${re} logged`,
      );
    }
    const warning = client.messages.find((m) => /FlowMage skipped/.test(m.message));
    assert.ok(warning && warning.type === 2, `a visible warning: ${JSON.stringify(client.messages)}`);
    assert.match(warning.message, /and 2 more/);
  });

  it('hovers elements named __proto__ and constructor in a .click document', async () => {
    const uri = pathToFileURL(join(dir, 'proto.click')).href;
    await client.open(uri, 'input :: FromDPDKDevice(0) -> constructor :: __proto__ -> __proto__ :: constructor -> ToDPDKDevice(0);\n');
    const hoverAt = async (character: number) => {
      const h = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character } });
      return (h?.contents as MarkupContent | undefined)?.value ?? '';
    };
    const line = 'input :: FromDPDKDevice(0) -> constructor :: __proto__ -> __proto__ :: constructor -> ToDPDKDevice(0);';
    assert.match(await hoverAt(line.indexOf(':: __proto__') + 4), /dst_ip/);
    assert.match(await hoverAt(line.indexOf(':: constructor') + 4), /src_ip/);
  });
});
