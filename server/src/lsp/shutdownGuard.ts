// LSP: once the server has received `shutdown`, every later request must fail with InvalidRequest
// and only the `exit` notification still counts. The handlers do not each check for it: incoming
// messages pass through this guard first, which routes late requests to one handler that refuses.
import { ErrorCodes, ResponseError, type Connection, type Message, type MessageStrategy, type RequestMessage } from 'vscode-languageserver/node';

const REFUSE = 'flowmage/$refusedAfterShutdown';

export interface ShutdownGuard {
  /** For createConnection's options. */
  messageStrategy: MessageStrategy;
  /** Registers the refusing handler on the connection made with `messageStrategy`. */
  install(connection: Connection): void;
}

export function shutdownGuard(): ShutdownGuard {
  let shutDown = false;
  return {
    messageStrategy: {
      handleMessage(message: Message, next: (message: Message) => void): void {
        const m = message as Partial<RequestMessage>;
        if (shutDown && typeof m.method === 'string' && m.method !== 'exit') {
          // A request gets its error; a notification (no id) is dropped.
          if (m.id !== undefined && m.id !== null) next({ ...m, method: REFUSE, params: { method: m.method } } as RequestMessage);
          return;
        }
        if (m.method === 'shutdown' && m.id !== undefined) shutDown = true;
        next(message);
      },
    },
    install(connection: Connection): void {
      connection.onRequest(
        REFUSE,
        (params: { method?: string }) => new ResponseError(ErrorCodes.InvalidRequest, `the server is shut down; ${params?.method ?? 'the request'} was refused`),
      );
    },
  };
}
