// The feature store never replaces what is not its own (devices, FIFOs, directories, sockets,
// symlinks, other people's files), stays inside its allowed root, keeps the file's mode, and
// concurrent savers lose nothing.
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { confinePath } from '../../../server/src/core/files/confinedPath';
import { withFileLock } from '../../../server/src/core/files/fileLock';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { STORE_SCHEMA } from '../../../server/src/core/store/schema';

const meta = { className: 'A', files: [], sliceHash: 'sha256:1', sliceChars: 1 };
const record = (at = '2024-01-01T00:00:00.000Z') => ({ features: { stateful: false, flowKey: [], intensity: null, pointerChasing: false }, analyzedAt: at, sliceHash: 'sha256:1' });

describe('the feature store refuses what is not its own', function () {
  this.timeout(10_000);
  let ws: string;
  beforeEach(() => (ws = mkdtempSync(join(tmpdir(), 'flowmage-safety-'))));
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  async function putAndSave(file: string, options: { root?: string } = {}): Promise<FeatureStore> {
    const store = await FeatureStore.open(file, options);
    store.put('A', meta, 'static', record());
    await store.save();
    return store;
  }

  it('a FIFO: opens without hanging, warns, and leaves it a FIFO', async () => {
    const fifo = join(ws, 'store.fifo');
    execFileSync('mkfifo', [fifo]);
    const store = await putAndSave(fifo);
    assert.match(store.warnings.join('\n'), /store\.fifo is a FIFO, not a regular file.*kept in memory/);
    assert.ok(lstatSync(fifo).isFIFO());
    assert.deepStrictEqual(readdirSync(ws), ['store.fifo'], 'nothing moved aside, no temporary file');
  });

  it('a device (like --store /dev/null run as root) is neither moved aside nor replaced', async function () {
    const dev = join(ws, 'null');
    try {
      execFileSync('mknod', [dev, 'c', '1', '3'], { stdio: 'ignore' }); // a private /dev/null: needs root
    } catch {
      this.skip();
    }
    const store = await putAndSave(dev);
    assert.match(store.warnings.join('\n'), /null is a device, not a regular file/);
    assert.ok(lstatSync(dev).isCharacterDevice());
    assert.deepStrictEqual(readdirSync(ws), ['null']);
  });

  it('a directory and a socket: warns and leaves them be', async () => {
    const d = join(ws, 'features.json');
    mkdirSync(d);
    const store = await putAndSave(d);
    assert.match(store.warnings.join('\n'), /is a directory, not a regular file/);
    assert.ok(statSync(d).isDirectory());
    const sock = join(ws, 'sock');
    const server = createServer();
    await new Promise<void>((res) => server.listen(sock, res));
    try {
      const s = await putAndSave(sock);
      assert.match(s.warnings.join('\n'), /is a socket, not a regular file/);
      assert.ok(lstatSync(sock).isSocket());
    } finally {
      server.close();
    }
  });

  it('a regular file that is not a FlowMage store (say ~/.bashrc) is neither moved nor replaced', async () => {
    const bashrc = join(ws, '.bashrc');
    writeFileSync(bashrc, 'export PATH=$HOME/bin:$PATH\n');
    const store = await putAndSave(bashrc);
    assert.match(store.warnings.join('\n'), /is not a FlowMage feature store.*left untouched/);
    assert.strictEqual(readFileSync(bashrc, 'utf8'), 'export PATH=$HOME/bin:$PATH\n');
    assert.deepStrictEqual(readdirSync(ws), ['.bashrc']);
  });

  it('a symlinked store file is not followed, and its target is untouched', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'flowmage-outside-'));
    try {
      const victim = join(outside, 'victim.json');
      writeFileSync(victim, JSON.stringify({ schema: STORE_SCHEMA, version: 1, elements: {}, comparisons: {} }));
      mkdirSync(join(ws, '.flowmage'));
      symlinkSync(victim, join(ws, '.flowmage', 'features.json'));
      const before = readFileSync(victim, 'utf8');
      const store = await putAndSave(join(ws, '.flowmage', 'features.json'));
      assert.match(store.warnings.join('\n'), /is a symbolic link; refusing to follow it/);
      assert.strictEqual(readFileSync(victim, 'utf8'), before);
      assert.ok(lstatSync(join(ws, '.flowmage', 'features.json')).isSymbolicLink());
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('a `.flowmage` symlink shipped in a repository does not lead the store outside the workspace', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'flowmage-outside-'));
    try {
      symlinkSync(outside, join(ws, '.flowmage'));
      const store = await putAndSave(join(ws, '.flowmage', 'features.json'), { root: ws });
      assert.match(store.warnings.join('\n'), /\.flowmage is a symbolic link; FlowMage does not follow links/);
      assert.deepStrictEqual(readdirSync(outside), [], 'nothing written outside');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("keeps the store file's mode", async () => {
    const file = join(ws, 'features.json');
    await putAndSave(file);
    chmodSync(file, 0o600);
    const again = await FeatureStore.open(file);
    again.put('B', meta, 'static', record());
    await again.save();
    assert.strictEqual(statSync(file).mode & 0o777, 0o600);
    assert.deepStrictEqual(Object.keys(JSON.parse(readFileSync(file, 'utf8')).elements).sort(), ['A', 'B']);
  });
});

describe('store paths from settings stay inside the workspace or the extension storage', () => {
  const ws = '/home/u/project';
  const storage = '/home/u/.vscode/storage/abc';

  it('accepts relative paths inside the workspace and absolute paths inside the storage', () => {
    assert.deepStrictEqual(confinePath('.flowmage/features.json', [ws, storage]), { path: `${ws}/.flowmage/features.json`, root: ws });
    assert.deepStrictEqual(confinePath(`${storage}/features.json`, [ws, storage]), { path: `${storage}/features.json`, root: storage });
  });

  it('rejects ../../victim, absolute paths elsewhere and the root itself, saying why', () => {
    for (const bad of ['../../victim/.bashrc', '/etc/passwd', '/home/u/.bashrc', '.', 'sub/../../x']) {
      const r = confinePath(bad, [ws, storage], 'flowmage.store.path');
      assert.ok('error' in r, `${bad} is rejected`);
      assert.match((r as { error: string }).error, /flowmage\.store\.path ".*" (resolves to .* which is outside|cannot)/);
    }
  });
});

describe('concurrent store savers', function () {
  this.timeout(20_000);
  let ws: string;
  beforeEach(() => (ws = mkdtempSync(join(tmpdir(), 'flowmage-lock-'))));
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('two stores saving at once both keep their entries (lock, then merge)', async () => {
    const file = join(ws, 'features.json');
    for (let trial = 0; trial < 10; trial++) {
      rmSync(file, { force: true });
      const stores = await Promise.all(Array.from({ length: 4 }, () => FeatureStore.open(file)));
      stores.forEach((s, i) => s.put(`E${i}`, meta, 'static', record()));
      await Promise.all(stores.map((s) => s.save()));
      assert.deepStrictEqual(Object.keys(JSON.parse(readFileSync(file, 'utf8')).elements).sort(), ['E0', 'E1', 'E2', 'E3'], `trial ${trial}`);
    }
    assert.ok(!existsSync(`${file}.lock`), 'the lock is released');
  });

  it('the lock serializes holders and breaks a lock left by a dead process', async () => {
    const file = join(ws, 'f');
    const events: string[] = [];
    const hold = (name: string) =>
      withFileLock(file, async () => {
        events.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 50));
        events.push(`${name}-`);
      });
    await Promise.all([hold('a'), hold('b')]);
    assert.deepStrictEqual(events.join(' ').replace(/[ab]/g, 'x'), 'x+ x- x+ x-');
    // pid 2^22+1 is above Linux's pid_max: no such process.
    writeFileSync(`${file}.lock`, `4194305 ${hostname()} ${Date.now()}\n`);
    let ran = false;
    await withFileLock(file, async () => void (ran = true), { timeoutMs: 2000 });
    assert.ok(ran);
  });

  it('a lock held by a live process makes a saver wait, then fail with a clear message', async () => {
    const file = join(ws, 'f');
    writeFileSync(`${file}.lock`, `${process.pid} ${hostname()} ${Date.now()}\n`);
    await assert.rejects(
      withFileLock(file, async () => undefined, { timeoutMs: 200 }),
      new RegExp(`locked by process ${process.pid}`),
    );
  });
});
