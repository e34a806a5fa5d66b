// The CLI reads a workspace's settings as the editor would: .flowmage/config.json over
// .vscode/settings.json over the defaults, both JSONC, and never fails on a bad file.
import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findWorkspaceFolder, readWorkspaceSettings } from '../../../server/src/config/workspaceSettings';
import { defaultSettings } from '../../../server/src/core/settings';

const ROOT = join(__dirname, '..', '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowmage-ws-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

describe('workspace settings for the CLI', () => {
  const dirs: string[] = [];
  const ws = (files: Record<string, string>) => {
    const d = workspace(files);
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('reads .vscode/settings.json as VS Code does: comments, trailing commas, flat ids, other extensions ignored', () => {
    const dir = ws({
      '.vscode/settings.json': '{\n  // NIC of the lab\n  "flowmage.solver.nicProfile": "mlx5", /* block */\n  "flowmage.solver.weights.perFlow": 3,\n  "editor.tabSize": 4,\n}\n',
    });
    const r = readWorkspaceSettings({ start: join(dir) });
    assert.deepStrictEqual(r.problems, []);
    assert.strictEqual(r.folder, dir);
    assert.strictEqual(r.settings.solver.nicProfile, 'mlx5');
    assert.strictEqual(r.settings.solver.weights.perFlow, 3);
    assert.strictEqual(r.settings.solver.weights.perPacket, defaultSettings().solver.weights.perPacket);
  });

  it('puts command-line flags over .flowmage/config.json over .vscode/settings.json over the defaults', () => {
    const dir = ws({
      '.vscode/settings.json': '{ "flowmage.solver.nicProfile": "mlx5", "flowmage.rewrite.target": "fastclick", "flowmage.llm.model": "from-vscode" }',
      '.flowmage/config.json': '{ "solver": { "nicProfile": "ice" }, "rewrite": { "target": "flowmage-fork" }, }',
    });
    const r = readWorkspaceSettings({ folder: dir, flags: { rewrite: { target: 'auto' } } });
    assert.deepStrictEqual(r.problems, []);
    assert.strictEqual(r.settings.rewrite.target, 'auto', 'flag');
    assert.strictEqual(r.settings.solver.nicProfile, 'ice', 'config.json');
    assert.strictEqual(r.settings.llm.model, 'from-vscode', 'settings.json');
    assert.strictEqual(r.settings.llm.samples, defaultSettings().llm.samples, 'default');
    assert.deepStrictEqual(r.files, [join(dir, '.flowmage', 'config.json'), join(dir, '.vscode', 'settings.json')]);
  });

  it('finds the workspace folder from a subdirectory, and none outside one', () => {
    const dir = ws({ '.flowmage/config.json': '{}', 'conf/deep/x.click': '' });
    assert.strictEqual(findWorkspaceFolder(join(dir, 'conf', 'deep')), dir);
    const bare = ws({ 'x.click': '' });
    const found = findWorkspaceFolder(bare);
    assert.ok(found === undefined || !found.startsWith(bare), String(found));
  });

  it('reports a broken file, an unknown key and a wrong value, and keeps the defaults for them', () => {
    const dir = ws({
      '.vscode/settings.json': '{ "flowmage.solver.nicProfile": "ice", ',
      '.flowmage/config.json': '{ "solver": { "nicProfil": "mlx5", "weights": { "perPacket": "high" } } }',
    });
    const r = readWorkspaceSettings({ folder: dir });
    assert.strictEqual(r.problems.length, 3, r.problems.join('\n'));
    assert.match(r.problems[0], /unknown setting flowmage\.solver\.nicProfil/);
    assert.match(r.problems[1], /^\.vscode[/\\]settings\.json:1: \w+ \(the file is ignored\)$/);
    assert.match(r.problems[2], /flowmage\.solver\.weights\.perPacket in \.flowmage[/\\]config\.json has an invalid value "high" \(must be number\); using the default 4/);
    assert.deepStrictEqual(r.settings, defaultSettings());
  });

  it('a settings file that is not an object, or a directory, is reported and ignored', () => {
    const dir = ws({ '.flowmage/config.json': '[1, 2]' });
    mkdirSync(join(dir, '.vscode', 'settings.json'), { recursive: true });
    const r = readWorkspaceSettings({ folder: dir });
    assert.deepStrictEqual(
      r.problems.map((p) => p.replace(/\\/g, '/')),
      ['.flowmage/config.json: expected a JSON object (ignored)', '.vscode/settings.json: not a regular file (ignored)'],
    );
    assert.deepStrictEqual(r.settings, defaultSettings());
  });

  it('an unreadable settings file is a warning, not a crash', function () {
    if (process.getuid?.() === 0) this.skip(); // root reads anything
    const dir = ws({ '.flowmage/config.json': '{ "solver": { "nicProfile": "ice" } }' });
    chmodSync(join(dir, '.flowmage', 'config.json'), 0o000);
    const r = readWorkspaceSettings({ folder: dir });
    assert.match(r.problems[0], /config\.json: cannot read it: EACCES/);
    assert.strictEqual(r.settings.solver.nicProfile, defaultSettings().solver.nicProfile);
  });

  describe('flowmage optimize in a workspace', () => {
    function run(args: string[], cwd: string) {
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    }
    const example = (files: Record<string, string>) => {
      const dir = ws(files);
      cpSync(join(ROOT, 'examples'), dir, { recursive: true });
      return dir;
    };

    it('uses the workspace settings, with a flag over them', () => {
      const dir = example({ '.vscode/settings.json': '{ "flowmage.solver.nicProfile": "ixgbe", "flowmage.sourcePaths": ["elements"], "flowmage.store.path": "" }' });
      const fromSettings = run(['optimize', 'paper-chain.click', '--json'], dir);
      assert.strictEqual(fromSettings.code, 0, fromSettings.stderr);
      assert.match(fromSettings.stderr, /^flowmage: settings from \.vscode[/\\]settings\.json$/m);
      const plan = JSON.parse(fromSettings.stdout);
      // ixgbe hashes the address pair or the 4-tuple only: never src_ip alone, the default's choice.
      assert.ok(
        ['src_ip dst_ip', 'src_ip dst_ip src_port dst_port', 'src_ip dst_ip src_port dst_port protocol'].includes(plan.chains[0].rss.join(' ')),
        plan.chains[0].rss.join(' '),
      );
      const flag = run(['optimize', 'paper-chain.click', '--json', '--nic', 'all-subsets'], dir);
      assert.deepStrictEqual(JSON.parse(flag.stdout).chains[0].rss, ['src_ip']);
      const elsewhere = run(['optimize', 'paper-chain.click', '--json', '--workspace', join(dir, 'elements')], dir);
      assert.deepStrictEqual(JSON.parse(elsewhere.stdout).chains[0].rss, ['src_ip'], '--workspace without settings files: the defaults');
    });

    it('warns about a bad settings file and still optimizes with the defaults', () => {
      const dir = example({ '.flowmage/config.json': '{ "solver": { "nicProfile": "warp-drive" } }' });
      const r = run(['optimize', 'paper-chain.click', '--json', '--source', 'elements'], dir);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /flowmage: warning: Setting flowmage\.solver\.nicProfile in \.flowmage[/\\]config\.json has an invalid value "warp-drive" \(must be one of "all-subsets"/,
      );
      assert.deepStrictEqual(JSON.parse(r.stdout).chains[0].rss, ['src_ip']);
    });

    it('refuses a --workspace that is not a directory', () => {
      const dir = example({});
      const r = run(['optimize', 'paper-chain.click', '--workspace', 'nowhere'], dir);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /--workspace nowhere is not a directory/);
    });
  });
});
