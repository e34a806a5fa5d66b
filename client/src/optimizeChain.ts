// "FlowMage: Optimize Chain": asks the server for the plan's edit of the active .click document,
// applies it, and says what changed and why.
import * as vscode from 'vscode';
import type { ServerController } from './serverController';
import { OptimizeRequest, type OptimizeResult } from '../../server/src/protocol';

export async function optimizeChain(controller: ServerController, uri?: vscode.Uri): Promise<OptimizeResult | undefined> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  const doc = target && vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (!doc || doc.languageId !== 'click') {
    void vscode.window.showWarningMessage('FlowMage: open a .click configuration to optimize its chain.');
    return undefined;
  }
  const client = controller.languageClient;
  if (!client) {
    void vscode.window.showErrorMessage('FlowMage: the language server is not running.');
    return undefined;
  }
  const result = await client.sendRequest(OptimizeRequest.type, { uri: doc.uri.toString() });
  for (const line of result.summary) controller.log.info(`optimize ${doc.uri.fsPath}: ${line}`);
  if (!result.edit || result.changes === 0) {
    void vscode.window.showInformationMessage(`FlowMage: ${result.message ?? 'nothing to change'}.`);
    return result;
  }
  const edit = await client.protocol2CodeConverter.asWorkspaceEdit(result.edit as Parameters<typeof client.protocol2CodeConverter.asWorkspaceEdit>[0]);
  if (!edit || !(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage('FlowMage: the edit could not be applied (the document changed meanwhile?). Try again.');
    return result;
  }
  const head = result.summary[0] ?? `${result.changes} change(s)`;
  void vscode.window.showInformationMessage(`FlowMage: ${head}`, 'Details').then((a) => {
    if (a) controller.log.show(true);
  });
  return result;
}
