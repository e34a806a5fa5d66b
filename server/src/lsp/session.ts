// Wires the server together: lifecycle, document sync, settings, trust and logging, then registers
// each LSP feature from its own module.
import { type Connection, type InitializeParams, type InitializeResult, DidChangeConfigurationNotification, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { createLogger, describeError, type LogLevel } from '../core/log';
import { defaultSettings, readSettings, type Settings } from '../core/settings';
import type { ServerContext } from './context';
import { FEATURES } from './features';
import { SERVER_VERSION } from '../core/version';
import { LlmEndpointConsentNotification, TrustChangedNotification, type InitializationOptions } from '../protocol';

export function startSession(connection: Connection): ServerContext {
  let settings: Settings = defaultSettings();
  let trusted = true;
  let allowedLlmOrigins: string[] | undefined;
  let folders: string[] = [];
  let storagePath: string | undefined;
  let canPullConfiguration = false;
  let foldersChange = false;
  const settingsListeners: Array<() => void> = [];

  const log = createLogger(
    (level: LogLevel, message: string) => {
      const line = `[${level}] ${message}`;
      if (level === 'error') connection.console.error(line);
      else if (level === 'warn') connection.console.warn(line);
      else if (level === 'info') connection.console.info(line);
      else connection.console.log(line);
    },
    () => settings.log.level,
  );

  process.on('unhandledRejection', (reason) => log.error(`unhandled rejection: ${describeError(reason)}`));
  process.on('uncaughtException', (err) => log.error(`uncaught exception: ${describeError(err)}`));

  const documents = new TextDocuments(TextDocument);
  /** The settings refreshes under way, chained (ServerContext.settingsSettled waits for them). */
  let settingsRefresh: Promise<void> = Promise.resolve();
  const ctx: ServerContext = {
    connection,
    documents,
    log,
    settings: () => settings,
    trusted: () => trusted,
    workspaceFolders: () => folders,
    allowedLlmOrigins: () => allowedLlmOrigins,
    storagePath: () => storagePath,
    onSettingsChanged: (listener) => settingsListeners.push(listener),
    settingsSettled: async () => {
      // A refresh may start while one is awaited: wait until the last one seen is still the last.
      for (let seen = settingsRefresh; ; seen = settingsRefresh) {
        await seen;
        if (seen === settingsRefresh) return;
      }
    },
  };

  const registered = FEATURES.map((feature) => feature(ctx));

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    if (typeof options.trusted === 'boolean') trusted = options.trusted;
    if (Array.isArray(options.allowedLlmOrigins)) allowedLlmOrigins = options.allowedLlmOrigins.filter((o) => typeof o === 'string');
    if (typeof options.storagePath === 'string' && options.storagePath) storagePath = options.storagePath;
    folders = localPaths(params.workspaceFolders ?? []);
    if (folders.length === 0 && params.rootUri?.startsWith('file:')) folders = [fileURLToPath(params.rootUri)];
    canPullConfiguration = !!params.capabilities.workspace?.configuration;
    foldersChange = !!params.capabilities.workspace?.workspaceFolders;
    let capabilities: InitializeResult['capabilities'] = {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    };
    for (const feature of registered) capabilities = { ...capabilities, ...(feature.capabilities?.(params) ?? {}) };
    return { capabilities, serverInfo: { name: 'flowmage', version: SERVER_VERSION } };
  });

  connection.onInitialized(async () => {
    if (canPullConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'flowmage' });
      await queueSettingsRefresh();
    }
    // Folders are part of what the listeners read (the index roots when flowmage.sourcePaths is
    // empty, the base of relative paths, the store's folder): each one re-checks what it depends on.
    if (foldersChange) {
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        try {
          const removed = new Set(localPaths(event.removed));
          folders = [...folders.filter((f) => !removed.has(f)), ...localPaths(event.added).filter((f) => !folders.includes(f))];
          log.info(`workspace folders changed: ${folders.join(', ') || 'none'}`);
          notifySettingsListeners('workspace folders');
        } catch (err) {
          log.error(`handling the workspace folder change failed: ${describeError(err)}`);
        }
      });
    }
    log.info(`FlowMage server ${SERVER_VERSION} ready (workspace ${trusted ? 'trusted' : 'untrusted'}, ${folders.length} folder(s))`);
    for (const feature of registered) await feature.initialized?.();
  });

  /** Refreshes are serialized: an older answer never overwrites a newer one. */
  function queueSettingsRefresh(pushed?: unknown): Promise<void> {
    settingsRefresh = settingsRefresh.then(() => refreshSettings(pushed)).catch((err) => log.error(`reading the settings failed: ${describeError(err)}`));
    return settingsRefresh;
  }

  async function refreshSettings(pushed?: unknown): Promise<void> {
    let raw: unknown = pushed;
    if (canPullConfiguration) {
      try {
        raw = await connection.workspace.getConfiguration('flowmage');
      } catch (err) {
        log.warn(`could not read settings: ${describeError(err)}`);
      }
    }
    const problems: string[] = [];
    // Nested as VS Code sends the section, or pushed as `{ flowmage: ... }` or flat ids by other clients.
    settings = readSettings(raw, problems);
    for (const p of problems) log.warn(p);
    notifySettingsListeners('settings');
  }

  /** Every listener runs, whatever an earlier one throws; failures are logged. */
  function notifySettingsListeners(why: string): void {
    for (const listener of settingsListeners) {
      try {
        listener();
      } catch (err) {
        log.error(`${why} listener failed: ${describeError(err)}`);
      }
    }
  }

  connection.onDidChangeConfiguration((change) => void queueSettingsRefresh(change.settings));
  connection.onNotification(TrustChangedNotification.type, (params: { trusted?: unknown } | null) => {
    try {
      trusted = params?.trusted === true;
      log.info(`workspace trust changed: ${trusted ? 'trusted' : 'untrusted'}`);
      notifySettingsListeners('workspace trust');
    } catch (err) {
      log.error(`handling the workspace trust change failed: ${describeError(err)}`);
    }
  });
  connection.onNotification(LlmEndpointConsentNotification.type, (params) => {
    allowedLlmOrigins = Array.isArray(params?.allowedOrigins) ? params.allowedOrigins.filter((o) => typeof o === 'string') : [];
    log.info(`LLM endpoints allowed by the user: ${allowedLlmOrigins.join(', ') || 'none'}`);
    for (const listener of settingsListeners) listener();
  });
  connection.onShutdown(async () => {
    for (const feature of registered) await feature.shutdown?.();
  });

  documents.listen(connection);
  return ctx;
}

function localPaths(list: ReadonlyArray<{ uri: string }>): string[] {
  return list.map((f) => (typeof f?.uri === 'string' && f.uri.startsWith('file:') ? fileURLToPath(f.uri) : '')).filter(Boolean);
}
