// Issue 13, item 1 from the command line: `parse` and `optimize` on the hostile compounds finish,
// in bounded memory, with the diagnostic (they used to run until memory ran out).
import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { doublingChain, NESTED_ANONYMOUS, RECURSIVE } from './chains/hostileConfigs';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

/** The CLI with a 512 MB heap, killed after 30 s: a hang or a runaway fails instead of eating the machine. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=512', CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  assert.strictEqual(r.signal, null, `${args.join(' ')} was killed (${r.signal}): it did not finish`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('flowmage parse and optimize on hostile compounds', function () {
  this.timeout(120_000);
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  before(() => (dir = mkdtempSync(join(tmpdir(), 'flowmage-hostile-cli-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('nested anonymous compounds: both succeed', () => {
    const path = file('nested.click', NESTED_ANONYMOUS);
    assert.strictEqual(cli(['parse', path]).code, 0);
    const r = cli(['optimize', path, '--json']);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.deepStrictEqual(
      JSON.parse(r.stdout).chains.map((c: { elements: Record<string, unknown> }) => Object.keys(c.elements)),
      [['@2/@1/@1/@1/Counter@1', 'Discard@3']],
    );
  });

  it('a recursive elementclass: both exit 1 naming the use', () => {
    const path = file('recursive.click', RECURSIVE);
    for (const command of ['parse', 'optimize']) {
      const r = cli([command, path]);
      assert.strictEqual(r.code, 1, `${command}: ${r.stderr}`);
      // parse prints its report on stdout, optimize its errors on stderr.
      assert.match(r.stdout + r.stderr, /recursive\.click:1:27: error: elementclass `R` uses itself/, command);
    }
  });

  it('twenty classes each using the previous one twice: optimize stops at the budget and exits 1', () => {
    const path = file('doubling.click', doublingChain(20));
    assert.strictEqual(cli(['parse', path]).code, 0);
    const r = cli(['optimize', path]);
    assert.strictEqual(r.code, 1, r.stderr);
    assert.match(r.stderr, /doubling\.click:21:31: warning: expanding `C19` would create more than 100000 element instances/);
    assert.match(r.stderr, /no chain analyzed/);
    assert.strictEqual(r.stdout, doublingChain(20), 'the configuration is printed unchanged');
  });
});
