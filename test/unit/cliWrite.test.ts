// `flowmage optimize --write` keeps what it does not mean to change: the file's mode, a symlink,
// hard links, a read-only file, bytes outside the edits (non-UTF-8, CRLF, a byte-order mark), and
// edits someone saved while it ran. Ctrl-C leaves no temporary file. Each runs the real CLI.
import * as assert from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, linkSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const SOURCES = join(ROOT, 'examples', 'elements');
const PAPER = readFileSync(join(ROOT, 'examples', 'paper-chain.click'), 'utf8');

function runCli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('flowmage optimize --write keeps files safe', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'flowmage-write-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (file: string, ...extra: string[]) => runCli(['optimize', file, '--source', SOURCES, '--write', ...extra]);

  it('keeps the mode of a 0600 file', () => {
    const file = join(dir, 'c.click');
    writeFileSync(file, PAPER, { mode: 0o600 });
    chmodSync(file, 0o600);
    const r = write(file);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(readFileSync(file, 'utf8'), /HASHFUNC "src_ip"/);
    assert.strictEqual(statSync(file).mode & 0o777, 0o600);
  });

  it('refuses a read-only file unless --force, which keeps it read-only', () => {
    const file = join(dir, 'c.click');
    writeFileSync(file, PAPER);
    chmodSync(file, 0o444);
    const r = write(file);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /read-only; not written \(use --force/);
    assert.strictEqual(readFileSync(file, 'utf8'), PAPER);
    const forced = write(file, '--force');
    assert.strictEqual(forced.code, 0, forced.stderr);
    assert.match(readFileSync(file, 'utf8'), /HASHFUNC "src_ip"/);
    assert.strictEqual(statSync(file).mode & 0o777, 0o444);
  });

  it('edits the target of a symlink and keeps the link', () => {
    const target = join(dir, 'real.click');
    const link = join(dir, 'link.click');
    writeFileSync(target, PAPER);
    symlinkSync('real.click', link);
    const r = write(link);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
    assert.match(readFileSync(target, 'utf8'), /HASHFUNC "src_ip"/);
    assert.deepStrictEqual(leftovers(dir), []);
  });

  it('refuses a file with hard links instead of splitting them', () => {
    const file = join(dir, 'c.click');
    writeFileSync(file, PAPER);
    linkSync(file, join(dir, 'other.click'));
    const r = write(file);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /has 2 hard links; replacing it would split them/);
    assert.strictEqual(readFileSync(join(dir, 'other.click'), 'utf8'), PAPER);
    assert.strictEqual(statSync(file).nlink, 2);
  });

  it('refuses a file that is not UTF-8 rather than corrupting bytes outside the edits', () => {
    const file = join(dir, 'c.click');
    const bytes = Buffer.concat([Buffer.from('// fa'), Buffer.from([0xe7]), Buffer.from('ade (Latin-1)\n'), Buffer.from(PAPER)]);
    writeFileSync(file, bytes);
    const r = write(file);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /is not valid UTF-8 \(byte 0xe7 at offset 5, line 1\)/);
    assert.deepStrictEqual(readFileSync(file), bytes, 'not one byte changed');
  });

  it('refuses to overwrite an edit saved while it ran', async () => {
    const file = join(dir, 'c.click');
    writeFileSync(file, PAPER);
    const child = spawn(process.execPath, [CLI, 'optimize', file, '--source', SOURCES, '--write'], { env: { ...process.env, FLOWMAGE_TEST_PAUSE_BEFORE_COMMIT_MS: '1500' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((res) => child.on('close', res));
    await until(() => leftovers(dir).length > 0);
    appendFileSync(file, '// saved by the user meanwhile\n');
    assert.strictEqual(await closed, 2);
    assert.match(stderr, /changed since it was read .*not written/);
    assert.strictEqual(readFileSync(file, 'utf8'), PAPER + '// saved by the user meanwhile\n');
    assert.deepStrictEqual(leftovers(dir), []);
  });

  it('leaves no temporary file behind on Ctrl-C', async () => {
    const file = join(dir, 'c.click');
    writeFileSync(file, PAPER);
    const child = spawn(process.execPath, [CLI, 'optimize', file, '--source', SOURCES, '--write'], { env: { ...process.env, FLOWMAGE_TEST_PAUSE_BEFORE_COMMIT_MS: '20000' } });
    const closed = new Promise<number | null>((res) => child.on('close', res));
    await until(() => leftovers(dir).length > 0);
    child.kill('SIGINT');
    assert.strictEqual(await closed, 130);
    assert.deepStrictEqual(leftovers(dir), []);
    assert.strictEqual(readFileSync(file, 'utf8'), PAPER, 'the file is untouched');
  });

  it("ends an inserted line with the file's CRLF", () => {
    const file = join(dir, 'c.click');
    const text = 'in :: FromDPDKDevice(0,\r\n                     MAXTHREADS 4,\r\n                     NDESC 512)\r\n  -> c :: IPolicer -> Discard;\r\n';
    writeFileSync(file, text);
    const r = write(file);
    assert.strictEqual(r.code, 0, r.stderr);
    const out = readFileSync(file, 'utf8');
    assert.match(out, /NDESC 512,\r\n {21}HASHFUNC /);
    assert.doesNotMatch(out, /[^\r]\n/, 'no bare LF');
  });

  it('counts line-1 columns after a byte-order mark and writes the mark back', () => {
    const file = join(dir, 'c.click');
    const text = '\ufeffinput :: FromDPDKDevice(0, MAXTHREADS 16) -> c :: IPolicer -> Discard;\n';
    writeFileSync(file, text);
    const json = runCli(['optimize', file, '--source', SOURCES, '--json']);
    assert.strictEqual(json.code, 0, json.stderr);
    const edit = JSON.parse(json.stdout).edits.find((e: { newText: string }) => /HASHFUNC/.test(e.newText));
    // `input :: FromDPDKDevice(0, MAXTHREADS 16` is 40 characters: the edit starts at column 41 as an editor counts it.
    assert.deepStrictEqual(edit.range.start, { line: 1, column: 41 });
    const r = write(file);
    assert.strictEqual(r.code, 0, r.stderr);
    const bytes = readFileSync(file);
    assert.deepStrictEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the BOM is kept');
    assert.match(bytes.toString('utf8'), /^\ufeffinput :: FromDPDKDevice\(0, MAXTHREADS 16, HASHFUNC /);
  });

  it('reports a parse error on line 1 at the column an editor shows, after a byte-order mark', () => {
    const file = join(dir, 'c.click');
    writeFileSync(file, '\ufeffa :: Counter -> -> b :: Discard;\n');
    const r = runCli(['parse', file]);
    const first = r.stdout.split('\n')[0];
    const col = Number(/:1:(\d+):/.exec(first)?.[1]);
    const plain = join(dir, 'plain.click');
    writeFileSync(plain, 'a :: Counter -> -> b :: Discard;\n');
    const expected = Number(/:1:(\d+):/.exec(runCli(['parse', plain]).stdout.split('\n')[0])?.[1]);
    assert.ok(expected > 1, runCli(['parse', plain]).stdout);
    assert.strictEqual(col, expected, first);
  });
});

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
