// What every LSP feature handler gets: the connection, open documents, settings and a logger.
// Handlers are thin: they translate between LSP types and the core's plain data.
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Logger } from '../core/log';
import type { Settings } from '../core/settings';
import { isCancellation, tokenIn, unlessCancelled } from './requestCancellation';

export interface ServerContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  log: Logger;
  settings(): Settings;
  /** Workspace trust as the client reports it; false until told otherwise by a trusting client. */
  trusted(): boolean;
  workspaceFolders(): string[];
  /**
   * The LLM endpoint origins the user allowed, from a client that asks (VS Code), or undefined when
   * the client does not ask and the configured endpoint is used as is.
   */
  allowedLlmOrigins(): readonly string[] | undefined;
  /** The extension's private storage folder (from the client), where the store may also live. */
  storagePath(): string | undefined;
  /** Called by features that need to know when settings changed. */
  onSettingsChanged(listener: () => void): void;
  /** Resolves once no settings refresh is under way (a change notified, the new settings not read yet). */
  settingsSettled(): Promise<void>;
}

/**
 * Runs a handler and turns any exception into a logged error and a safe fallback, never a crash.
 * A request cancelled while its handler waits is answered RequestCancelled at once.
 */
export function guard<A extends unknown[], R>(ctx: Pick<ServerContext, 'log'>, what: string, fallback: R, fn: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await unlessCancelled(tokenIn(args), (async () => fn(...args))(), what);
    } catch (err) {
      if (isCancellation(err)) throw err;
      ctx.log.error(`${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return fallback;
    }
  };
}

/**
 * A per-server singleton: the first call for a server context creates the value, later calls get
 * the same one. Shared services (document cache, element index, flow analysis) are built this way so
 * whichever feature asks first creates them.
 */
export function perServer<T>(create: (ctx: ServerContext) => T): (ctx: ServerContext) => T {
  const values = new WeakMap<ServerContext, T>();
  return (ctx) => {
    if (!values.has(ctx)) values.set(ctx, create(ctx));
    return values.get(ctx)!;
  };
}
