// Cancellation of requests, as LSP prescribes (answered RequestCancelled, not computed for nobody):
// - not yet started: when `$/cancelRequest` arrives for a request still waiting in the
//   connection's queue (the server busy with an index, an editor re-asking a hover on every
//   keystroke), it is answered at once and never run;
// - under way: a handler waiting (for the index, a flow analysis, a capture) is answered as soon
//   as the cancellation arrives. What it waited for goes on: it is shared, and cached for the next.
import { LSPErrorCodes, ResponseError, type CancellationToken, type ConnectionStrategy, type Message, type RequestMessage, type ResponseMessage } from 'vscode-languageserver/node';

export const cancelUndispatchedRequests: ConnectionStrategy = {
  cancelUndispatched(message: Message): ResponseMessage | undefined {
    const request = message as Partial<RequestMessage>;
    if (request.id === undefined) return undefined;
    return { jsonrpc: '2.0', id: request.id, error: { code: LSPErrorCodes.RequestCancelled, message: `${request.method ?? 'the request'} was cancelled before it started` } };
  },
};

/** The LSP token among a handler's arguments (requests get one after their params), if any. */
export function tokenIn(args: readonly unknown[]): CancellationToken | undefined {
  const t = args[1] as Partial<CancellationToken> | undefined;
  return t && typeof t.isCancellationRequested === 'boolean' && typeof t.onCancellationRequested === 'function' ? (t as CancellationToken) : undefined;
}

export function isCancellation(err: unknown): boolean {
  return err instanceof ResponseError && err.code === LSPErrorCodes.RequestCancelled;
}

/** `work`'s result, or RequestCancelled as soon as the token is cancelled (the work itself is not stopped). */
export function unlessCancelled<T>(token: CancellationToken | undefined, work: Promise<T>, what: string): Promise<T> {
  if (!token) return work;
  const cancelled = () => new ResponseError(LSPErrorCodes.RequestCancelled, `${what} was cancelled`);
  if (token.isCancellationRequested) {
    work.catch(() => undefined);
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const listener = token.onCancellationRequested(() => {
      work.catch(() => undefined);
      reject(cancelled());
    });
    work.then(resolve, reject).finally(() => listener.dispose());
  });
}
