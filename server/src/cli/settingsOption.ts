// How a command gets its settings: the workspace's settings files (config/workspaceSettings.ts) under
// the command line's flags. Problems in the files are warnings on stderr, never fatal.
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { confinePath } from '../core/files/confinedPath';
import type { Settings } from '../core/settings';
import { readWorkspaceSettings, type WorkspaceSettings } from '../config/workspaceSettings';
import { CliError, stringOption, type CliIO, type OptionSpec, type ParsedArgs } from './command';

export const WORKSPACE_OPTION: OptionSpec = {
  name: 'workspace',
  type: 'string',
  value: 'DIR',
  description: 'workspace folder whose .flowmage/config.json and .vscode/settings.json are read (default: the nearest one holding either, from %START% up)',
};

/** Reads the settings for a command; `start` is where the search for the workspace folder begins. */
export function commandSettings(command: string, args: ParsedArgs, io: CliIO, start: string, flags: Record<string, unknown>): WorkspaceSettings {
  const given = stringOption(args, 'workspace');
  const folder = given !== undefined ? resolve(io.cwd, given) : undefined;
  if (folder !== undefined && !isDirectory(folder)) throw new CliError(`${command}: --workspace ${given} is not a directory`);
  const ws = readWorkspaceSettings({ folder, start, flags });
  // Say where settings came from: a plan that differs from a colleague's is then explained.
  if (ws.files.length) io.err(`flowmage: settings from ${ws.files.map((f) => relative(io.cwd, f) || f).join(', ')}\n`);
  for (const p of ws.problems) io.err(`flowmage: warning: ${p}\n`);
  return ws;
}

export function workspaceOption(start: string): OptionSpec {
  return { ...WORKSPACE_OPTION, description: WORKSPACE_OPTION.description.replace('%START%', start) };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The C++ source roots as the editor picks them: `--source` flags, else `sourcePaths` (relative to
 * the workspace folder), else the workspace folder, else `fallback`.
 */
export function sourceRoots(given: string[], ws: { settings: Settings; folder: string | undefined }, cwd: string, fallback: string[]): string[] {
  if (given.length) return given.map((r) => resolve(cwd, r));
  const configured = ws.settings.sourcePaths.filter((p) => p.trim());
  const base = ws.folder ?? cwd;
  if (configured.length) return configured.map((p) => (isAbsolute(p) ? resolve(p) : resolve(base, p)));
  return ws.folder !== undefined ? [ws.folder] : fallback;
}

/**
 * The feature store: `--store`, else, in a workspace with settings files, its `store.path` (kept
 * inside the workspace folder as the editor keeps it), else none (features in memory).
 */
export function storePath(given: string | undefined, ws: { settings: Settings; folder: string | undefined; files: string[] }, io: CliIO): string | undefined {
  if (given !== undefined) return given;
  const setting = ws.settings.store.path.trim();
  if (ws.folder === undefined || !ws.files.length || !setting) return undefined;
  const confined = confinePath(setting, [ws.folder], 'flowmage.store.path');
  if ('error' in confined) {
    io.err(`flowmage: warning: ${confined.error}; features are kept in memory\n`);
    return undefined;
  }
  return confined.path;
}
