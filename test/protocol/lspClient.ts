// A real LSP client for protocol tests: spawns `node dist/server.js --stdio` and speaks JSON-RPC to
// it with vscode-languageserver-protocol, as Neovim or any other editor would.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  InitializeRequest,
  InitializedNotification,
  ShutdownRequest,
  ExitNotification,
  DidOpenTextDocumentNotification,
  type InitializeResult,
  type PublishDiagnosticsParams,
  PublishDiagnosticsNotification,
  ConfigurationRequest,
  ResponseError,
} from 'vscode-languageserver-protocol/node';
import { SERVER_ENV, SERVER_NODE_ARGS, STORAGE_HINT_ENV } from '../../server/src/protocol';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const SERVER = resolve(ROOT, 'dist', 'server.js');

export interface TestClient {
  connection: ProtocolConnection;
  process: ChildProcessWithoutNullStreams;
  initializeResult: InitializeResult;
  stderr: string[];
  logs: string[];
  /** window/showMessage notifications, in order. */
  messages: Array<{ type: number; message: string }>;
  diagnostics: Map<string, PublishDiagnosticsParams>;
  open(uri: string, text: string, languageId?: string): Promise<void>;
  waitForDiagnostics(uri: string, predicate?: (p: PublishDiagnosticsParams) => boolean, ms?: number): Promise<PublishDiagnosticsParams>;
  shutdown(): Promise<number | null>;
}

export interface StartOptions {
  workspaceFolder?: string;
  settings?: Record<string, unknown>;
  initializationOptions?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** The client's workspaceEdit capability (document changes, file creation); none when omitted. */
  workspaceEdit?: { documentChanges?: boolean; resourceOperations?: Array<'create' | 'rename' | 'delete'> };
}

export async function startServer(options: StartOptions = {}): Promise<TestClient> {
  // Started as the VS Code client starts it (the same Node flags and environment, the storage folder named in it too).
  const storagePath = (options.initializationOptions as { storagePath?: string } | undefined)?.storagePath;
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS, SERVER, '--stdio'], {
    env: { ...process.env, ...SERVER_ENV, [STORAGE_HINT_ENV]: storagePath ?? '', ...options.env },
  });
  const stderr: string[] = [];
  child.stderr.on('data', (d) => stderr.push(String(d)));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const logs: string[] = [];
  const messages: Array<{ type: number; message: string }> = [];
  connection.onNotification('window/showMessage', (p: { type: number; message: string }) => messages.push(p));
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const diagnosticWaiters: Array<() => void> = [];
  connection.onNotification('window/logMessage', (p: { message: string }) => logs.push(p.message));
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    diagnostics.set(p.uri, p);
    for (const w of diagnosticWaiters.splice(0)) w();
  });
  connection.onRequest(ConfigurationRequest.type, (params) => params.items.map((item) => (item.section === 'flowmage' ? (options.settings ?? {}) : null)));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onNotification('$/progress', () => undefined);
  connection.listen();

  const folderUri = options.workspaceFolder ? pathToFileURL(options.workspaceFolder).toString() : null;
  const initializeResult = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: folderUri,
    workspaceFolders: folderUri ? [{ uri: folderUri, name: 'test' }] : null,
    capabilities: {
      workspace: {
        configuration: true,
        workspaceFolders: true,
        didChangeConfiguration: { dynamicRegistration: true },
        ...(options.workspaceEdit ? { workspaceEdit: options.workspaceEdit } : {}),
      },
      textDocument: {
        hover: { contentFormat: ['markdown', 'plaintext'] },
        publishDiagnostics: { relatedInformation: true },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'refactor'] } } },
      },
      window: { workDoneProgress: true },
    },
    initializationOptions: options.initializationOptions ?? { trusted: true },
  });
  await connection.sendNotification(InitializedNotification.type, {});

  const client: TestClient = {
    connection,
    process: child,
    initializeResult,
    stderr,
    logs,
    messages,
    diagnostics,
    async open(uri, text, languageId = 'click') {
      await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
    },
    async waitForDiagnostics(uri, predicate = () => true, ms = 10_000) {
      const end = Date.now() + ms;
      for (;;) {
        const current = diagnostics.get(uri);
        if (current && predicate(current)) return current;
        const left = end - Date.now();
        if (left <= 0) throw new Error(`no matching diagnostics for ${uri} within ${ms} ms; last: ${JSON.stringify(current?.diagnostics ?? null)}`);
        await new Promise<void>((res) => {
          const t = setTimeout(res, left);
          diagnosticWaiters.push(() => {
            clearTimeout(t);
            res();
          });
        });
      }
    },
    async shutdown() {
      const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      const code = await Promise.race([exited, new Promise<null>((res) => setTimeout(() => res(null), 5000))]);
      connection.dispose();
      if (child.exitCode === null) child.kill('SIGKILL');
      return code;
    },
  };
  return client;
}

/** Polls `probe` every 100 ms until it returns a truthy value, or fails after `ms`. */
/** How a request ended: 'answered', or the code of the error the server answered with. */
export function outcome(reply: Promise<unknown>): Promise<'answered' | number | string> {
  return reply.then(
    () => 'answered' as const,
    (err: unknown) => (err instanceof ResponseError ? err.code : String(err)),
  );
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
