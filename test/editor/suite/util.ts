// Helpers for editor tests: poll with a deadline (never sleep-and-hope) and ask the runner for
// screenshots through files in test-output/editor.
import * as vscode from 'vscode';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FlowMageApi } from '../../../client/src/extension';

export const ROOT = resolve(__dirname, '..', '..', '..', '..');
export const OUTPUT_DIR = join(ROOT, 'test-output', 'editor');

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, deadlineMs = 30_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

export async function activateExtension(): Promise<FlowMageApi> {
  const ext = await waitFor('the FlowMage extension to be installed', () => vscode.extensions.getExtension<FlowMageApi>('flowmage.flowmage'));
  const api = await ext.activate();
  await waitFor('the FlowMage server to run', () => api.serverState() === 'running', 60_000);
  return api;
}

export function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test workspace is not open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

export async function openFile(...parts: string[]): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(...parts));
  return vscode.window.showTextDocument(doc, { preview: false });
}

/**
 * Asks the runner to click the first element matching a CSS selector inside the open webview, as a
 * user would; undefined when no runner can (not code-server), else throws if the click failed.
 */
export async function clickInWebview(name: string, selector: string): Promise<boolean | undefined> {
  if (!process.env.FLOWMAGE_SCREENSHOTS) return undefined;
  const dir = join(OUTPUT_DIR, 'requests');
  mkdirSync(dir, { recursive: true });
  const done = join(dir, `${name}.webview-click.done`);
  rmSync(done, { force: true });
  writeFileSync(join(dir, `${name}.webview-click`), selector);
  await waitFor(`the click on ${selector}`, () => existsSync(done), 20_000);
  const answer = readFileSync(done, 'utf8');
  rmSync(done, { force: true });
  if (answer !== 'ok') throw new Error(`clicking ${selector} in the webview failed: ${answer}`);
  return true;
}

/** Asks the runner (outside the editor) for a PNG of the workbench and waits until it exists. */
export async function screenshot(name: string): Promise<string | undefined> {
  if (!process.env.FLOWMAGE_SCREENSHOTS) return undefined; // only the code-server runner takes them
  const dir = join(OUTPUT_DIR, 'requests');
  mkdirSync(dir, { recursive: true });
  const png = join(OUTPUT_DIR, `${name}.png`);
  rmSync(png, { force: true }); // a picture from an earlier run must not count as this one
  writeFileSync(join(dir, name), '');
  await waitFor(`screenshot ${name}`, () => existsSync(png), 20_000);
  return png;
}
