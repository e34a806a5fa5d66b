// Starts the FlowMage language server over IPC and keeps it alive: on a crash it says so and
// restarts, up to a limit, then leaves a way to restart by hand.
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
  State,
  ErrorAction,
  CloseAction,
  type ErrorHandler,
  type Message,
} from 'vscode-languageclient/node';
import { API_KEY_ENV } from '../../server/src/core/llm/apiKeyEnv';
import {
  LlmEndpointConsentNotification,
  SERVER_ENV,
  SERVER_NODE_ARGS,
  STORAGE_HINT_ENV,
  SHOW_CHAIN_COMMAND,
  SHOW_FEATURES_AT_COMMAND,
  TrustChangedNotification,
  type InitializationOptions,
} from '../../server/src/protocol';
import type { EndpointConsent } from './endpointConsent';

export type ServerState = 'starting' | 'running' | 'stopped' | 'restarting';

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private crashes: number[] = [];
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly endpointEmitter = new vscode.EventEmitter<void>();
  /** The LLM endpoint or the user's answer about it changed. */
  readonly onDidChangeEndpoint = this.endpointEmitter.event;
  state: ServerState = 'stopped';
  stoppedReason = '';

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    /** Read at every (re)start: the key is handed over in the server's environment. */
    private readonly apiKey: () => Thenable<string | undefined> = async () => undefined,
    /** Which LLM endpoint the user allowed; undefined: the server uses the configured one as is. */
    readonly consent?: EndpointConsent,
  ) {}

  private setState(state: ServerState, reason = ''): void {
    this.state = state;
    this.stoppedReason = reason;
    this.stateEmitter.fire(state);
  }

  async start(): Promise<void> {
    const module = this.context.asAbsolutePath('dist/server.js');
    const key = await this.apiKey();
    if (process.env.OPENAI_BASE_URL) this.log.info('OPENAI_BASE_URL is set in the environment; the FlowMage server ignores it and uses flowmage.llm.baseUrl (empty = OpenAI)');
    const storagePath = this.context.storageUri?.fsPath;
    // The storage folder in the environment too: on a cold start the server begins indexing before initialize.
    const env = { ...process.env, ...SERVER_ENV, [API_KEY_ENV]: key ?? '', [STORAGE_HINT_ENV]: storagePath ?? '' };
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc, options: { env, execArgv: [...SERVER_NODE_ARGS] } },
      debug: { module, transport: TransportKind.ipc, options: { env, execArgv: [...SERVER_NODE_ARGS, '--nolazy', '--inspect=6009'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'click' },
        { scheme: 'untitled', language: 'click' },
        { scheme: 'file', language: 'cpp' },
      ],
      synchronize: { configurationSection: 'flowmage' },
      outputChannel: this.log,
      traceOutputChannel: this.log,
      initializationOptions: {
        trusted: vscode.workspace.isTrusted,
        allowedLlmOrigins: this.consent?.allowedOrigins(),
        storagePath,
        clientCommands: [SHOW_FEATURES_AT_COMMAND, SHOW_CHAIN_COMMAND],
      } satisfies InitializationOptions,
      errorHandler: this.errorHandler(),
    };
    const client = new LanguageClient('flowmage', 'FlowMage Language Server', serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) this.setState('running');
      else if (e.newState === State.Starting) this.setState('starting');
      else if (this.state !== 'restarting') this.setState('stopped', this.stoppedReason);
    });
    this.client = client;
    this.setState('starting');
    try {
      await client.start();
      void this.reviewEndpoint();
    } catch (err) {
      this.log.error(`FlowMage server failed to start: ${String(err)}`);
      this.setState('stopped', String(err));
      void vscode.window.showErrorMessage(`FlowMage: the language server failed to start (${String(err)}).`, 'Show Log').then((a) => {
        if (a) this.log.show(true);
      });
    }
  }

  private errorHandler(): ErrorHandler {
    return {
      error: (_error: Error, _message: Message | undefined, count: number | undefined) => ({
        action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
      }),
      closed: () => {
        const now = Date.now();
        this.crashes = this.crashes.filter((t) => now - t < RESTART_WINDOW_MS);
        this.crashes.push(now);
        if (this.crashes.length > MAX_RESTARTS) {
          this.setState('stopped', 'crashed repeatedly');
          void vscode.window
            .showErrorMessage('FlowMage: the language server crashed 5 times in 3 minutes and was not restarted.', 'Restart', 'Show Log')
            .then((a) => (a === 'Restart' ? this.restart('restarted by the user') : a && this.log.show(true)));
          return { action: CloseAction.DoNotRestart, handled: true };
        }
        this.setState('restarting');
        this.log.warn('FlowMage server stopped unexpectedly; restarting it.');
        void vscode.window.showWarningMessage('FlowMage: the language server stopped unexpectedly and is being restarted.', 'Show Log').then((a) => {
          if (a) this.log.show(true);
        });
        return { action: CloseAction.Restart, handled: true };
      },
    };
  }

  async restart(reason: string): Promise<void> {
    this.log.info(`FlowMage server ${reason}`);
    this.setState('restarting');
    await this.stop();
    this.crashes = [];
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.log.warn(`stopping the server: ${String(err)}`);
      }
    }
    if (this.state !== 'restarting') this.setState('stopped', 'stopped');
  }

  /** Tells the server that the workspace became trusted; a failure (server stopped, restarting) is logged, never thrown. */
  notifyTrust(): void {
    try {
      this.client
        ?.sendNotification(TrustChangedNotification.type, { trusted: vscode.workspace.isTrusted })
        .catch((err: unknown) => this.log.warn(`telling the server about workspace trust: ${String(err)}`));
    } catch (err) {
      this.log.warn(`telling the server about workspace trust: ${String(err)}`);
    }
    void this.reviewEndpoint();
  }

  /**
   * After a start, a trust grant or an LLM settings change: asks about the endpoint if needed, logs
   * where requests go, and tells the server which origins it may use.
   */
  async reviewEndpoint(): Promise<void> {
    if (!this.consent) return;
    const decision = await this.consent.review();
    const text = this.consent.statusText();
    if (text) this.log.info(text);
    this.endpointEmitter.fire();
    try {
      if (this.state === 'running') await this.client?.sendNotification(LlmEndpointConsentNotification.type, { allowedOrigins: this.consent.allowedOrigins(decision) });
    } catch (err) {
      // A server that stops now gets the origins again in its initialization options.
      this.log.warn(`telling the server about the LLM endpoint: ${String(err)}`);
    }
  }

  async request<R>(method: string, params?: unknown): Promise<R> {
    if (!this.client || this.state !== 'running') throw new Error(`FlowMage server is ${this.state}`);
    return this.client.sendRequest<R>(method, params);
  }

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
    this.endpointEmitter.dispose();
  }
}
