// The language status item shown for .click files: server state at a glance, log on click.
import * as vscode from 'vscode';
import type { ServerController, ServerState } from './serverController';

const LABELS: Record<ServerState, string> = {
  starting: '$(loading~spin) FlowMage starting',
  running: '$(check) FlowMage',
  restarting: '$(sync~spin) FlowMage restarting',
  stopped: '$(error) FlowMage stopped',
};

export class ServerStatusItem implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly controller: ServerController) {
    this.item = vscode.languages.createLanguageStatusItem('flowmage.server', { language: 'click' });
    this.item.name = 'FlowMage Server';
    this.item.command = { title: 'Show Log', command: 'flowmage.showLog' };
    this.subscriptions = [controller.onDidChangeState((s) => this.update(s)), controller.onDidChangeEndpoint(() => this.update(controller.state))];
    this.update(controller.state);
  }

  private update(state: ServerState): void {
    this.item.text = LABELS[state];
    const server = state === 'stopped' && this.controller.stoppedReason ? this.controller.stoppedReason : `language server ${state}`;
    // Where element code goes (`LLM gpt-4o at api.openai.com`), or why nothing is sent.
    const llm = this.controller.consent?.statusText();
    this.item.detail = llm ? `${server} · ${llm}` : server;
    this.item.busy = state === 'starting' || state === 'restarting';
    this.item.severity = state === 'stopped' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
