// Extension entry: owns only VS Code things (server process, commands, status, secrets).
// Everything FlowMage knows about .click files and C++ elements lives in the language server.
import * as vscode from 'vscode';
import { ServerController } from './serverController';
import { ServerStatusItem } from './statusItem';
import { ApiKeyStore } from './apiKey';
import { EndpointConsent } from './endpointConsent';
import { optimizeChain } from './optimizeChain';
import { ChainView, type ChainRendered } from './chainView';
import { AnalyzeElementsRequest, SHOW_CHAIN_COMMAND, SHOW_FEATURES_AT_COMMAND } from '../../server/src/protocol';

export interface FlowMageApi {
  /** 'starting' | 'running' | 'stopped' | 'restarting' */
  serverState(): string;
  /** Sends a request to the language server (used by tests and commands). */
  request<R>(method: string, params?: unknown): Promise<R>;
  /** What the chain view drew last (node ids, conflicts, load bars), or undefined (used by tests). */
  chainViewRendered(): ChainRendered | undefined;
}

let controller: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<FlowMageApi> {
  const log = vscode.window.createOutputChannel('FlowMage', { log: true });
  context.subscriptions.push(log);
  const keys = new ApiKeyStore(context.secrets);
  const consent = new EndpointConsent(context.globalState, log);
  controller = new ServerController(context, log, () => keys.get(), consent);
  const status = new ServerStatusItem(controller);
  const chainView = new ChainView(context, controller);
  context.subscriptions.push(status, controller, chainView);

  context.subscriptions.push(
    vscode.commands.registerCommand('flowmage.restartServer', async () => {
      await controller?.restart('restarted by the user');
    }),
    vscode.commands.registerCommand('flowmage.showLog', () => log.show(true)),
    vscode.commands.registerCommand('flowmage.setApiKey', async (key?: string) => {
      if (await keys.set(key)) {
        await controller?.restart('restarted with a new API key');
        void vscode.window.showInformationMessage('FlowMage: API key saved in secret storage.');
      }
    }),
    vscode.commands.registerCommand('flowmage.analyzeElements', async () => {
      const client = controller?.languageClient;
      if (!client) return void vscode.window.showErrorMessage('FlowMage: the language server is not running.');
      const r = await client.sendRequest(AnalyzeElementsRequest.type, {});
      void vscode.window.showInformationMessage(`FlowMage: ${r.message}`);
      return r;
    }),
    // Target of the C++ CodeLens: put the cursor on the class and show its hover (features and evidence).
    vscode.commands.registerCommand(SHOW_FEATURES_AT_COMMAND, async (uri: string, position: { line: number; character: number }) => {
      const editor = await vscode.window.showTextDocument(vscode.Uri.parse(uri));
      const at = new vscode.Position(position.line, position.character);
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at));
      await vscode.commands.executeCommand('editor.action.showHover');
    }),
    vscode.commands.registerCommand('flowmage.optimizeChain', (uri?: vscode.Uri) => optimizeChain(controller!, uri)),
    // From the palette (the active document), the editor menu (its URI) or the CodeLens (URI string and input device).
    vscode.commands.registerCommand(SHOW_CHAIN_COMMAND, (uri?: vscode.Uri | string, input?: string, options?: { trace?: string }) => chainView.show(uri, input, options)),
    vscode.commands.registerCommand('flowmage.clearApiKey', async () => {
      await keys.clear();
      await controller?.restart('restarted without an API key');
      void vscode.window.showInformationMessage('FlowMage: API key removed.');
    }),
    vscode.commands.registerCommand('flowmage.forgetLlmEndpointAnswers', async () => {
      await consent.forget();
      log.info('LLM endpoint answers forgotten');
      await controller?.reviewEndpoint();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => controller?.notifyTrust()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('flowmage.llm')) void controller?.reviewEndpoint();
    }),
  );

  await controller.start();
  return {
    serverState: () => controller?.state ?? 'stopped',
    request: <R>(method: string, params?: unknown) => controller!.request<R>(method, params),
    chainViewRendered: () => chainView.lastRendered(),
  };
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
