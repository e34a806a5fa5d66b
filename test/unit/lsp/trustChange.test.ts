// The server's workspace-trust notification handler: a listener that throws must not stop the
// others, nor escape the handler; the failure is logged.
import * as assert from 'node:assert';
import type { Connection } from 'vscode-languageserver/node';
import { startSession } from '../../../server/src/lsp/session';
import { TrustChangedNotification } from '../../../server/src/protocol';

/** A connection on which every registration is accepted; notifications handlers and console lines are kept. */
function fakeConnection(): { connection: Connection; notifications: Map<string, (params: unknown) => unknown>; errors: string[] } {
  const notifications = new Map<string, (params: unknown) => unknown>();
  const errors: string[] = [];
  const anything = (): unknown =>
    new Proxy(function () {}, {
      get: () => anything(),
      apply: () => anything(),
    });
  const connection = new Proxy({} as Record<string | symbol, unknown>, {
    get(_target, key) {
      if (key === 'onNotification')
        return (type: string | { method: string }, handler: (params: unknown) => unknown) => notifications.set(typeof type === 'string' ? type : type.method, handler);
      if (key === 'console') return { error: (l: string) => errors.push(l), warn: () => undefined, info: () => undefined, log: () => undefined };
      return anything();
    },
  }) as unknown as Connection;
  return { connection, notifications, errors };
}

describe('workspace trust change (server)', () => {
  it('runs every listener even when one throws, and logs the failure', () => {
    const { connection, notifications, errors } = fakeConnection();
    const ctx = startSession(connection);
    const seen: boolean[] = [];
    ctx.onSettingsChanged(() => {
      throw new Error('listener exploded');
    });
    ctx.onSettingsChanged(() => seen.push(ctx.trusted()));
    const handler = notifications.get(TrustChangedNotification.method);
    assert.ok(handler, 'the server handles flowmage/trustChanged');
    assert.doesNotThrow(() => handler({ trusted: true }));
    assert.deepStrictEqual(seen, [true], 'the listener after the failing one still ran');
    assert.ok(
      errors.some((e) => /listener exploded/.test(e)),
      `the failure is logged: ${errors.join('\n')}`,
    );
    assert.doesNotThrow(() => handler(null));
    assert.strictEqual(ctx.trusted(), false, 'a malformed notification leaves the workspace untrusted');
  });
});
