import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: options.cwd, env: { ...process.env, ...options.env }, input: options.input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('flowmage CLI conventions', () => {
  it('prints help with --help and exits 0', () => {
    const r = runCli(['--help']);
    assert.strictEqual(r.code, 0);
    assert.match(r.stdout, /usage: flowmage <command> \[options\]/);
    assert.strictEqual(r.stderr, '');
  });

  it('prints its version', () => {
    const r = runCli(['--version']);
    assert.strictEqual(r.code, 0);
    assert.match(r.stdout, /^flowmage \d+\.\d+\.\d+\n$/);
  });

  it('rejects an unknown command with exit 2 and one line on stderr', () => {
    const r = runCli(['frobnicate']);
    assert.strictEqual(r.code, 2);
    assert.strictEqual(r.stdout, '');
    assert.strictEqual(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });
});
