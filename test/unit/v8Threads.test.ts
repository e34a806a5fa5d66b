// V8's background pool for the processes we start (core/v8Threads.ts): one thread on two cores
// with Node, Node's default otherwise, and nothing under Electron, which ignores the flag.
import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SERVER_NODE_ARGS } from '../../server/src/protocol';
import { v8ThreadArgs } from '../../server/src/core/v8Threads';

/** The number of threads of a Node started with `args`, read from /proc as it runs. */
function threadsWith(args: string[]): number {
  const r = spawnSync(process.execPath, [...args, '-e', "console.log(require('fs').readdirSync('/proc/self/task').length)"], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

describe('V8 background threads', () => {
  it('asks for one background thread on one or two cores, with Node', () => {
    assert.deepStrictEqual(v8ThreadArgs(1, false), ['--v8-pool-size=1']);
    assert.deepStrictEqual(v8ThreadArgs(2, false), ['--v8-pool-size=1']);
  });

  it("keeps Node's default with more cores, and asks nothing of Electron", () => {
    assert.deepStrictEqual(v8ThreadArgs(3, false), []);
    assert.deepStrictEqual(v8ThreadArgs(16, false), []);
    assert.deepStrictEqual(v8ThreadArgs(2, true), []);
  });

  it('starts the server with the flags for this machine', () => {
    assert.deepStrictEqual(SERVER_NODE_ARGS, ['--expose-gc', ...v8ThreadArgs()]);
  });

  it('gives a Node process fewer threads with the flag', function () {
    if (!existsSync('/proc/self/task')) this.skip();
    const flagged = threadsWith(v8ThreadArgs(2, false));
    const plain = threadsWith([]);
    assert.ok(flagged < plain, `${flagged} threads with the flag, ${plain} without`);
  });
});
