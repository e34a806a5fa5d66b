// The store as the CLI uses it: parallel runs lose no entry, another --source keeps stored LLM
// answers (only --prune drops them), and Ctrl-C during `analyze --llm` keeps the answers received.
import * as assert from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOpenAI, featureJson } from '../support/fakeOpenAI';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const SOURCES = join(ROOT, 'examples', 'elements');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}, onStderr?: (text: string) => void) {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  const out: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => {
    out.stderr += d;
    onStderr?.(out.stderr);
  });
  const done = new Promise<Run>((res) => child.on('close', (code) => res({ ...out, code })));
  return { child, done };
}

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => start(args, env).done;

function storeElements(file: string): Record<string, { sources: Record<string, unknown> }> {
  return JSON.parse(readFileSync(file, 'utf8')).elements;
}

function llmAnswers(file: string): string[] {
  return Object.entries(storeElements(file)).flatMap(([name, e]) =>
    Object.keys(e.sources)
      .filter((p) => p.startsWith('llm:'))
      .map((p) => `${name} ${p}`),
  );
}

function element(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${name.toLowerCase()}.hh`),
    `#include <click/element.hh>\nclass ${name} : public Element { public:\n  const char *class_name() const override { return "${name}"; }\n  void push(int, Packet *p) override { output(0).push(p); }\n};\n`,
  );
}

describe('the store under the CLI', function () {
  this.timeout(240_000);
  const fake = new FakeOpenAI();
  let dir: string;
  before(async () => {
    await fake.start();
    dir = mkdtempSync(join(tmpdir(), 'flowmage-cli-store-'));
  });
  after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('8 analyze runs writing one store at once lose no element, trial after trial', async () => {
    const roots = Array.from({ length: 8 }, (_, i) => join(dir, 'parallel', `s${i}`));
    roots.forEach((r, i) => element(r, `Par${i}`));
    const file = join(dir, 'parallel', 'features.json');
    for (let trial = 0; trial < 3; trial++) {
      rmSync(file, { force: true });
      const runs = await Promise.all(roots.map((r) => run(['analyze', '--source', r, '--store', file])));
      for (const r of runs) assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(
        Object.keys(storeElements(file)).sort(),
        roots.map((_, i) => `Par${i}`),
        `trial ${trial}`,
      );
    }
  });

  it('a run with another --source keeps the stored LLM answers; --prune drops them', async () => {
    fake.script = () => ({ kind: 'content', content: featureJson({ stateful: false }) });
    const file = join(dir, 'prune.json');
    const first = await run(['analyze', '--source', SOURCES, '--store', file, '--llm', '--base-url', fake.baseUrl, '--model', 'fake-4']);
    assert.strictEqual(first.code, 0, first.stderr);
    const answers = llmAnswers(file);
    assert.ok(answers.length >= 8, answers.join(', '));
    const other = join(dir, 'other');
    element(other, 'Other');
    const second = await run(['analyze', '--source', other, '--store', file]);
    assert.strictEqual(second.code, 0, second.stderr);
    assert.deepStrictEqual(llmAnswers(file), answers, 'every paid-for answer is still there');
    assert.ok(storeElements(file).Other);
    const pruned = await run(['analyze', '--source', other, '--store', file, '--prune']);
    assert.strictEqual(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stderr, /pruned \d+ element\(s\)/);
    assert.deepStrictEqual(Object.keys(storeElements(file)), ['Other']);
    assert.deepStrictEqual(llmAnswers(file), []);
  });

  it('Ctrl-C during analyze --llm keeps every answer already received', async () => {
    // Three answers come back; every later request hangs until the run is interrupted.
    let n = 0;
    fake.script = () => (n++ < 3 ? { kind: 'content', content: featureJson({ stateful: false }), delayMs: 50 } : { kind: 'hang' });
    const file = join(dir, 'interrupted.json');
    let third!: () => void;
    const gotThree = new Promise<void>((res) => (third = res));
    const { child, done } = start(['analyze', '--source', SOURCES, '--store', file, '--llm', '--base-url', fake.baseUrl, '--model', 'fake-int'], {}, (err) => {
      if (/\[3\/\d+\]/.test(err)) third();
    });
    await gotThree;
    child.kill('SIGINT');
    const r = await done;
    assert.strictEqual(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted \(SIGINT\); saving what was done/);
    assert.strictEqual(llmAnswers(file).filter((a) => a.endsWith('llm:fake-int')).length, 3, r.stderr);
  });
});
