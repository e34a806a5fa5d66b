// `flowmage/status`: a small custom request clients and tests use to see what the server knows.
import type { Feature } from './features';
import type { ServerContext } from './context';
import { SERVER_VERSION } from '../core/version';
import { llmStatus } from './llmService';
import { StatusRequest, type ServerStatus } from '../protocol';

export function statusFeature(ctx: ServerContext): Feature {
  ctx.connection.onRequest(StatusRequest.type, (): ServerStatus => ({
    version: SERVER_VERSION,
    trusted: ctx.trusted(),
    openDocuments: ctx.documents.all().length,
    workspaceFolders: ctx.workspaceFolders(),
    pid: process.pid,
    llm: llmStatus(ctx).current(),
  }));
  return {};
}
