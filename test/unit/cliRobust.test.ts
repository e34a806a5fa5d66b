// The CLI against hostile input and hostile pipes: skipped files are warned about while the others
// are analyzed, a closed stdout ends the run quietly, and file content never reaches the terminal
// as control characters.
import * as assert from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.test';
import { deeplyNestedElement, fixtureCopy, mkfifo, oversizedElement, PROTOTYPE_NAMED_ELEMENTS, write } from '../support/hostileTree';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

describe('flowmage CLI robustness', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const tmp = (prefix: string) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('analyze warns about an oversized file, a deeply nested file and a FIFO, and analyzes the rest', () => {
    const dir = fixtureCopy('flowmage-cli-hostile-');
    dirs.push(dir);
    write(join(dir, 'huge.cc'), oversizedElement(2100 * 1024));
    write(join(dir, 'deep.cc'), deeplyNestedElement(5000));
    mkfifo(join(dir, 'pipe.hh'));
    const r = runCli(['analyze', '--source', dir, '--json']);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /^flowmage: warning: huge\.cc skipped: \d+ KB is over the 2048 KB limit/m);
    assert.match(r.stderr, /^flowmage: warning: deep\.cc skipped: cannot be analyzed \(code nested more than/m);
    assert.match(r.stderr, /^flowmage: warning: pipe\.hh skipped: not a regular file$/m);
    const out = JSON.parse(r.stdout);
    assert.deepStrictEqual(out.elements.IPortScanDetector.flowKey, ['src_ip']);
    assert.deepStrictEqual(out.elements.IPolicer.flowKey, ['dst_ip']);
    assert.strictEqual(out.elements.HugeElement, undefined);
  });

  it('exits quietly with 0 when stdout is closed early (flowmage ... | head)', async () => {
    const dir = tmp('flowmage-cli-epipe-');
    // Enough elements that the table is far larger than a pipe's buffer.
    const classes = Array.from({ length: 1500 }, (_, i) => `class Row${i} : public Element { public: const char *class_name() const override { return "Row${i}"; } };`);
    writeFileSync(join(dir, 'rows.hh'), classes.join('\n'));
    // A real pipe into `head`, which exits after 100 bytes (Node's own stdio pipes are sockets whose
    // buffers would swallow the whole table). The exit code is the CLI's, from PIPESTATUS.
    const errFile = join(dir, 'stderr.txt');
    const script = `"${process.execPath}" "${CLI}" analyze --source "${dir}" 2>"${errFile}" | head -c 100 >/dev/null; exit \${PIPESTATUS[0]}`;
    const child = spawn('bash', ['-c', script], { stdio: 'ignore' });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    const stderr = readFileSync(errFile, 'utf8');
    assert.strictEqual(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Error/);
  });

  it('parse refuses a FIFO instead of waiting for a writer', () => {
    const fifo = join(tmp('flowmage-cli-fifo-'), 'pipe.click');
    mkfifo(fifo);
    const r = runCli(['parse', fifo]);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /^flowmage: parse: cannot read .*pipe\.click: not a regular file$/m);
  });

  it('escapes terminal control characters quoted from a file', () => {
    const dir = tmp('flowmage-cli-escape-');
    const file = join(dir, 'evil.click');
    writeFileSync(file, 'a :: \u001b]0;owned\u0007Counter\u001b[2J\u009b31m;\n');
    const r = runCli(['parse', file]);
    assert.strictEqual(r.code, 1);
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the terminal
    assert.doesNotMatch(r.stdout + r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(r.stdout, /\\u001b/);
    const json = runCli(['parse', file, '--json']);
    // eslint-disable-next-line no-control-regex -- nor the JSON output
    assert.doesNotMatch(json.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    JSON.parse(json.stdout);
  });

  it('optimizes a configuration whose elements and classes are named __proto__, constructor and toString', () => {
    const dir = fixtureCopy('flowmage-cli-proto-');
    dirs.push(dir);
    write(join(dir, 'prototype.hh'), PROTOTYPE_NAMED_ELEMENTS);
    const file = join(dir, 'proto.click');
    writeFileSync(
      file,
      [
        'elementclass hasOwnProperty { input -> inner :: constructor -> output }',
        'input :: FromDPDKDevice(0);',
        '__proto__ :: __proto__;',
        'constructor :: hasOwnProperty;',
        'toString :: toString;',
        'input -> __proto__ -> constructor -> toString -> ToDPDKDevice(0);',
        '',
      ].join('\n'),
    );
    const parsed = JSON.parse(runCli(['parse', file, '--json']).stdout);
    assert.deepStrictEqual(
      parsed.elements.map((e: { name: string; class: string }) => `${e.name}:${e.class}`),
      ['inner:constructor', 'input:FromDPDKDevice', '__proto__:__proto__', 'constructor:hasOwnProperty', 'toString:toString', 'ToDPDKDevice@5:ToDPDKDevice'],
    );
    const r = runCli(['optimize', file, '--source', dir, '--json']);
    assert.strictEqual(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const plan = out.chains[0].elements;
    assert.deepStrictEqual(Object.keys(plan).sort(), ['ToDPDKDevice@5', '__proto__', 'constructor/inner', 'toString']);
    assert.deepStrictEqual(plan.__proto__.flowKey, ['dst_ip']);
    assert.deepStrictEqual(plan['constructor/inner'].flowKey, ['src_ip']);
    const analyzed = JSON.parse(runCli(['analyze', '--source', dir, '--json']).stdout);
    assert.deepStrictEqual(
      Object.keys(analyzed.elements)
        .filter((n) => ['__proto__', 'constructor', 'toString'].includes(n))
        .sort(),
      ['__proto__', 'constructor', 'toString'],
    );
  });
});
