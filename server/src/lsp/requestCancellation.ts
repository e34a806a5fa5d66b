// Cancellation of requests not yet started: when `$/cancelRequest` arrives for a request still
// waiting in the connection's queue (the server busy with an index or a long request, an editor
// re-asking a hover on every keystroke), it is answered RequestCancelled at once and never run,
// as LSP prescribes, instead of being computed for nobody.
import { LSPErrorCodes, type ConnectionStrategy, type Message, type RequestMessage, type ResponseMessage } from 'vscode-languageserver/node';

export const cancelUndispatchedRequests: ConnectionStrategy = {
  cancelUndispatched(message: Message): ResponseMessage | undefined {
    const request = message as Partial<RequestMessage>;
    if (request.id === undefined) return undefined;
    return { jsonrpc: '2.0', id: request.id, error: { code: LSPErrorCodes.RequestCancelled, message: `${request.method ?? 'the request'} was cancelled before it started` } };
  },
};
