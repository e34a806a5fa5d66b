// Several features answer the same LSP request for different documents (hover on a .click file and
// hover on a C++ element header). A connection holds one handler per request, so features register
// providers here instead: for hover the first provider that accepts the document answers, code
// lenses are concatenated, and watched-file notifications go to every listener.
import type { CodeLens, CodeLensParams, Connection, DidChangeWatchedFilesParams, Hover, HoverParams } from 'vscode-languageserver/node';
import type { ServerContext } from './context';
import { guard } from './context';
import { isCppSource } from '../core/cpp/sourceFiles';

export type DocumentFilter = (uri: string, languageId: string | undefined) => boolean;

interface Provider<P, R> {
  accepts: DocumentFilter;
  provide(params: P): R | Promise<R>;
}

interface Registry {
  hover: Array<Provider<HoverParams, Hover | null>>;
  codeLens: Array<Provider<CodeLensParams, CodeLens[]>>;
  watchedFiles: Array<(params: DidChangeWatchedFilesParams) => void>;
}

const registries = new WeakMap<Connection, Registry>();

function registry(ctx: ServerContext): Registry {
  let r = registries.get(ctx.connection);
  if (r) return r;
  const reg: Registry = { hover: [], codeLens: [], watchedFiles: [] };
  registries.set(ctx.connection, reg);
  const languageOf = (uri: string) => ctx.documents.get(uri)?.languageId;
  ctx.connection.onHover(
    guard(ctx, 'hover', null, async (params: HoverParams) => {
      const lang = languageOf(params.textDocument.uri);
      for (const p of reg.hover) if (p.accepts(params.textDocument.uri, lang)) return p.provide(params);
      return null;
    }),
  );
  ctx.connection.onCodeLens(
    guard(ctx, 'codeLens', [], async (params: CodeLensParams) => {
      const lang = languageOf(params.textDocument.uri);
      const out: CodeLens[] = [];
      for (const p of reg.codeLens) if (p.accepts(params.textDocument.uri, lang)) out.push(...(await p.provide(params)));
      return out;
    }),
  );
  ctx.connection.onDidChangeWatchedFiles((params) => {
    for (const listener of reg.watchedFiles) {
      try {
        listener(params);
      } catch (err) {
        ctx.log.error(`watched-files listener failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    }
  });
  r = reg;
  return r;
}

export function registerHoverProvider(ctx: ServerContext, accepts: DocumentFilter, provide: (params: HoverParams) => Hover | null | Promise<Hover | null>): void {
  registry(ctx).hover.push({ accepts, provide });
}

export function registerCodeLensProvider(ctx: ServerContext, accepts: DocumentFilter, provide: (params: CodeLensParams) => CodeLens[] | Promise<CodeLens[]>): void {
  registry(ctx).codeLens.push({ accepts, provide });
}

/** `workspace/didChangeWatchedFiles` for every feature that watches files (one handler per connection). */
export function onWatchedFilesChanged(ctx: ServerContext, listener: (params: DidChangeWatchedFilesParams) => void): void {
  registry(ctx).watchedFiles.push(listener);
}

/** C++ documents: by language id when the client says, else by extension. */
export const isCppDocument: DocumentFilter = (uri, languageId) => (languageId ? languageId === 'cpp' || languageId === 'c' : isCppSource(uri)) && uri.startsWith('file:');
