// `flowmage/status`: a small custom request clients and tests use to see what the server knows.
import type { Feature } from './features';
import type { ServerContext } from './context';
import { SERVER_VERSION } from '../core/version';
import { llmStatus, type LlmStatus } from './llmService';

export interface ServerStatus {
  version: string;
  trusted: boolean;
  openDocuments: number;
  workspaceFolders: string[];
  /** The server's process id (the editor tests use it to crash the server on purpose). */
  pid: number;
  /** The LLM: its model, the host requests go to, and why nothing is sent if so. */
  llm: LlmStatus | undefined;
}

export function statusFeature(ctx: ServerContext): Feature {
  ctx.connection.onRequest('flowmage/status', (): ServerStatus => ({
    version: SERVER_VERSION,
    trusted: ctx.trusted(),
    openDocuments: ctx.documents.all().length,
    workspaceFolders: ctx.workspaceFolders(),
    pid: process.pid,
    llm: llmStatus(ctx).current(),
  }));
  return {};
}
