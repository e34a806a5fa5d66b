// V8 flags for the processes we start (core/v8Flags.ts): one background thread on two cores with
// Node, Node's default otherwise, none asked of Electron, which sizes its own pool; and the index
// child without inlining.
import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SERVER_NODE_ARGS } from '../../server/src/protocol';
import { indexChildV8Args, serverV8Args } from '../../server/src/core/v8Flags';

/** What a Node started with `args` prints for `script`. */
function runWith(args: string[], script: string): string {
  const r = spawnSync(process.execPath, [...args, '-e', script], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const THREADS = "console.log(require('fs').readdirSync('/proc/self/task').length)";

describe('V8 flags for the server and the index child', () => {
  it('asks for one background thread on one or two cores, with Node', () => {
    assert.deepStrictEqual(serverV8Args(1, false), ['--v8-pool-size=1']);
    assert.deepStrictEqual(serverV8Args(2, false), ['--v8-pool-size=1']);
    assert.deepStrictEqual(indexChildV8Args(2, false), ['--v8-pool-size=1', '--no-turbo-inlining']);
  });

  it("keeps Node's default pool with more cores, and asks no pool of Electron", () => {
    assert.deepStrictEqual(serverV8Args(3, false), []);
    assert.deepStrictEqual(serverV8Args(16, false), []);
    assert.deepStrictEqual(serverV8Args(2, true), []);
    assert.deepStrictEqual(indexChildV8Args(16, false), ['--no-turbo-inlining']);
    assert.deepStrictEqual(indexChildV8Args(2, true), ['--no-turbo-inlining']);
  });

  it('starts the server with the flags for this machine', () => {
    assert.deepStrictEqual(SERVER_NODE_ARGS, ['--expose-gc', ...serverV8Args()]);
  });

  it('gives a Node process fewer threads with the pool flag', function () {
    if (!existsSync('/proc/self/task')) this.skip();
    const flagged = Number(runWith(serverV8Args(2, false), THREADS));
    const plain = Number(runWith([], THREADS));
    assert.ok(flagged < plain, `${flagged} threads with the flag, ${plain} without`);
  });

  it("the child's flags are ones this Node takes (it refuses a flag it does not know)", () => {
    const args = indexChildV8Args(2, false);
    assert.strictEqual(runWith(args, "console.log(process.execArgv.slice(0, -2).join(' '))"), args.join(' '));
    const unknown = spawnSync(process.execPath, ['--no-such-v8-flag', '-e', '0'], { encoding: 'utf8' });
    assert.notStrictEqual(unknown.status, 0);
  });
});
