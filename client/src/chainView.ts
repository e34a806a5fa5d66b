// "FlowMage: Show Chain": a webview beside the editor that draws the chain graph of a .click document
// (the server's flowmage/chainGraph), redrawn as the document changes. Clicking a node selects its
// declaration in the editor. The page is locked by a Content Security Policy: one nonce'd script and
// one stylesheet from the extension's dist/ folder, nothing remote.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { ChainGraphRequest, type ChainGraphParams } from '../../server/src/protocol';
import type { ChainGraphResult, FromWebview, ToWebview } from './chainViewProtocol';
import type { ServerController } from './serverController';

/** Edits closer together than this redraw once. */
const REFRESH_DEBOUNCE_MS = 400;
/** While the server's element index is still on its first pass, ask again this often. */
const INDEX_RETRY_MS = 2000;
/** How long the command waits for the first drawing before it returns without one. */
const RENDER_WAIT_MS = 30_000;

export type ChainRendered = Extract<FromWebview, { type: 'rendered' }>;

export class ChainView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private document: vscode.Uri | undefined;
  private focus: string | undefined;
  /** A capture to simulate, given by the caller; else the server uses its trace setting. */
  private trace: string | undefined;
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private rendered: ChainRendered | undefined;
  private renderWaiters: Array<(r: ChainRendered) => void> = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly controller: ServerController,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && e.document.uri.toString() === this.document?.toString()) this.schedule();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (this.panel && e.affectsConfiguration('flowmage')) this.schedule();
      }),
    );
  }

  /**
   * Opens (or retargets) the view on a .click document, showing the chain fed by `input`, with the
   * per-queue loads of `options.trace` (a pcap/pcapng path) if given. Resolves with what was drawn.
   */
  async show(uri?: vscode.Uri | string, input?: string, options?: { trace?: string }): Promise<ChainRendered | undefined> {
    // From the palette while the view itself has focus there is no active editor: keep its document.
    const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : (uri ?? vscode.window.activeTextEditor?.document.uri ?? this.document);
    const doc =
      target &&
      (vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString()) ?? (await vscode.workspace.openTextDocument(target).then(undefined, () => undefined)));
    if (!doc || doc.languageId !== 'click') {
      void vscode.window.showWarningMessage('FlowMage: open a .click configuration to show its chain.');
      return undefined;
    }
    this.document = doc.uri;
    this.focus = input;
    this.trace = typeof options?.trace === 'string' ? options.trace : undefined;
    this.rendered = undefined;
    if (!this.panel) this.createPanel();
    else this.panel.reveal(vscode.ViewColumn.Beside, true);
    this.panel!.title = `Chain: ${doc.uri.path.split('/').pop()}`;
    if (this.ready) await this.refresh();
    return this.waitForRender();
  }

  /** What the webview last drew (for tests). */
  lastRendered(): ChainRendered | undefined {
    return this.rendered;
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.retry);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  private createPanel(): void {
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(
      'flowmage.chainView',
      'Chain',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [dist],
      },
    );
    this.panel = panel;
    this.ready = false;
    panel.webview.html = pageHtml(panel.webview, dist);
    panel.webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m), undefined, this.disposables);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
      clearTimeout(this.timer);
      clearTimeout(this.retry);
    });
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.refresh();
        break;
      case 'focus':
        this.focus = m.input;
        break;
      case 'reveal':
        await this.reveal(m.range);
        break;
      case 'rendered':
        this.rendered = m;
        for (const w of this.renderWaiters.splice(0)) w(m);
        break;
    }
  }

  private waitForRender(): Promise<ChainRendered | undefined> {
    if (this.rendered) return Promise.resolve(this.rendered);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), RENDER_WAIT_MS);
      this.renderWaiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), REFRESH_DEBOUNCE_MS);
  }

  private async refresh(): Promise<void> {
    clearTimeout(this.retry);
    const panel = this.panel;
    const uri = this.document;
    if (!panel || !uri) return;
    let message: ToWebview;
    try {
      const result = await this.controller.request<ChainGraphResult>(ChainGraphRequest.method, {
        uri: uri.toString(),
        ...(this.trace ? { trace: this.trace } : {}),
      } satisfies ChainGraphParams);
      message = { type: 'graph', document: uri.path.split('/').pop() ?? uri.toString(), result, focus: this.focus };
      if (!result.indexReady) this.retry = setTimeout(() => void this.refresh(), INDEX_RETRY_MS);
    } catch (err) {
      message = { type: 'error', message: err instanceof Error ? err.message : String(err) };
    }
    if (this.panel === panel && this.document === uri) await panel.webview.postMessage(message);
  }

  /** Selects a declaration in the editor that shows the document (opening it if none does). */
  private async reveal(range: { start: { line: number; character: number }; end: { line: number; character: number } }): Promise<void> {
    if (!this.document) return;
    const r = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.document!.toString());
    const editor = await vscode.window.showTextDocument(this.document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    editor.selection = new vscode.Selection(r.start, r.end);
    editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

function pageHtml(webview: vscode.Webview, dist: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'chainView.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'chainView.css'));
  const csp = [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `font-src ${webview.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>FlowMage chain</title>
</head>
<body>
<div id="app"><p class="status">Loading the chain…</p></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
