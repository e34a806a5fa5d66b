import * as assert from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOpenAI, featureJson } from '../support/fakeOpenAI';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const KEY = 'sk-cli-test-0000-SECRET-1111';

/** Runs the CLI without blocking this process (the fake server must keep answering). */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('flowmage analyze --llm', function () {
  this.timeout(60_000);
  const fake = new FakeOpenAI();
  let dir: string;
  before(async () => {
    await fake.start();
    fake.script = (req) => {
      const code = req.body.messages?.[1]?.content ?? '';
      if (/class IPolicer/.test(code))
        return { kind: 'content', content: featureJson({ stateful: true, key: ['dst_ip', 'dst_port'] }), usage: { prompt_tokens: 900, completion_tokens: 60 } };
      return { kind: 'content', content: featureJson({ stateful: false }) };
    };
    dir = mkdtempSync(join(tmpdir(), 'flowmage-cli-llm-'));
  });
  after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds the LLM answer, the merged features and the tokens per element', async () => {
    const store = join(dir, 'features.json');
    const r = await run(
      ['analyze', '--source', join(ROOT, 'examples', 'elements'), '--element', 'IPolicer', '--json', '--llm', '--base-url', fake.baseUrl, '--model', 'fake-4', '--store', store],
      { OPENAI_API_KEY: KEY },
    );
    assert.strictEqual(r.code, 0, r.stderr);
    const el = JSON.parse(r.stdout).elements.IPolicer;
    assert.deepStrictEqual(el.llm.flowKey, ['dst_ip', 'dst_port']);
    assert.deepStrictEqual(el.merged.flowKey, ['dst_ip'], 'the merge keeps the intersection');
    assert.strictEqual(el.merged.disagreements[0].feature, 'flowKey');
    assert.ok(el.tokens.prompt > 100 && el.tokens.completion === 60, JSON.stringify(el.tokens));
    assert.strictEqual(fake.requests[0].headers.authorization, `Bearer ${KEY}`);
    assert.ok(![r.stdout, r.stderr, readFileSync(store, 'utf8')].join('').includes(KEY), 'the key is not printed or stored');
    // A second run finds the answer in the store and asks nothing.
    const before = fake.requests.length;
    const again = await run(
      ['analyze', '--source', join(ROOT, 'examples', 'elements'), '--element', 'IPolicer', '--json', '--llm', '--base-url', fake.baseUrl, '--model', 'fake-4', '--store', store],
      { OPENAI_API_KEY: KEY },
    );
    assert.strictEqual(again.code, 0);
    assert.strictEqual(fake.requests.length, before);
    assert.deepStrictEqual(JSON.parse(again.stdout).elements.IPolicer.llm.flowKey, ['dst_ip', 'dst_port']);
  });

  it('refuses a remote endpoint without OPENAI_API_KEY, with exit 2 and one line', async () => {
    const r = await run(['analyze', '--source', join(ROOT, 'examples', 'elements'), '--llm', '--base-url', 'https://api.example.invalid/v1'], { OPENAI_API_KEY: '' });
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /set OPENAI_API_KEY/);
  });

  it('names the endpoint host it asks, and says when it comes from OPENAI_BASE_URL (issue 13, item 4)', async () => {
    const host = new URL(fake.baseUrl).host;
    const store = join(dir, 'env-features.json');
    const fromEnv = await run(['analyze', '--source', join(ROOT, 'examples', 'elements'), '--element', 'IPolicer', '--llm', '--model', 'fake-4', '--store', store], {
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: fake.baseUrl,
    });
    assert.strictEqual(fromEnv.code, 0, fromEnv.stderr);
    assert.ok(fromEnv.stderr.includes(`asking fake-4 at ${host} (from OPENAI_BASE_URL) about 1 element(s)`), fromEnv.stderr);
    const given = await run(
      ['analyze', '--source', join(ROOT, 'examples', 'elements'), '--element', 'IPolicer', '--llm', '--model', 'fake-5', '--base-url', fake.baseUrl, '--store', store],
      { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'http://127.0.0.9:9/v1' },
    );
    assert.ok(given.stderr.includes(`asking fake-5 at ${host} (from --base-url) about 1 element(s)`), given.stderr);
    const bad = await run(['analyze', '--source', join(ROOT, 'examples', 'elements'), '--llm'], { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'file:///etc/passwd' });
    assert.strictEqual(bad.code, 2);
    assert.match(bad.stderr, /OPENAI_BASE_URL "file:\/\/\/etc\/passwd" is not an http\(s\) URL/);
  });
});
