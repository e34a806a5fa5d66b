// The CLI's view of a workspace's settings: the same settings the editor reads, from the files a
// workspace keeps them in. Precedence, highest first:
//   1. command-line flags (`--nic`, `--target`, ...);
//   2. `.flowmage/config.json` in the workspace folder (nested `{ "solver": { "nicProfile": ... } }`,
//      or flat `"flowmage.solver.nicProfile"` keys);
//   3. the workspace's `.vscode/settings.json` (flat `"flowmage.solver.nicProfile"` keys, as VS Code
//      writes them; other extensions' keys are ignored);
//   4. the defaults of the settings schema.
// Both files are JSONC as VS Code reads them (comments, trailing commas). The workspace folder is
// the nearest directory, from the start directory up, holding either file.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { readSettingsLayers, unknownSettingKeys, type Settings, type SettingsLayer } from '../core/settings';

export const CONFIG_FILE = join('.flowmage', 'config.json');
export const VSCODE_SETTINGS_FILE = join('.vscode', 'settings.json');

export interface WorkspaceSettings {
  settings: Settings;
  /** The workspace folder whose files were read; undefined when none was found. */
  folder: string | undefined;
  /** The settings files read, highest precedence first. */
  files: string[];
  /** Unreadable files, syntax errors, unknown keys and invalid values (each then ignored or defaulted). */
  problems: string[];
}

/** The nearest directory from `start` up that holds `.flowmage/config.json` or `.vscode/settings.json`. */
export function findWorkspaceFolder(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (isFile(join(dir, CONFIG_FILE)) || isFile(join(dir, VSCODE_SETTINGS_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Reads a workspace's settings. `folder` is the workspace folder (found from `start` when not
 * given); `flags` are the command line's settings, nested or as flat ids. Never throws: every
 * problem is reported and the setting keeps its next source or its default.
 */
export function readWorkspaceSettings(options: { folder?: string; start?: string; flags?: unknown }): WorkspaceSettings {
  const folder = options.folder !== undefined ? resolve(options.folder) : options.start !== undefined ? findWorkspaceFolder(options.start) : undefined;
  const problems: string[] = [];
  const files: string[] = [];
  const layers: SettingsLayer[] = [];
  if (options.flags !== undefined) layers.push({ name: 'the command line', values: options.flags });
  if (folder !== undefined) {
    for (const [rel, onlyFlowmage] of [
      [CONFIG_FILE, false],
      [VSCODE_SETTINGS_FILE, true],
    ] as const) {
      const path = join(folder, rel);
      if (!existsSync(path)) continue;
      const values = readJsoncObject(path, rel, problems);
      if (values === undefined) continue;
      files.push(path);
      // settings.json holds every extension's settings: only ours are checked for typos.
      const ours = onlyFlowmage ? Object.fromEntries(Object.entries(values).filter(([k]) => k === 'flowmage' || k.startsWith('flowmage.'))) : values;
      for (const key of unknownSettingKeys(ours)) problems.push(`${rel}: unknown setting ${key} (ignored)`);
      layers.push({ name: rel, values: ours });
    }
  }
  const settings = readSettingsLayers(layers, problems);
  return { settings, folder, files, problems };
}

/** A JSONC file's top-level object, or undefined (with a problem) when it cannot be read as one. */
function readJsoncObject(path: string, display: string, problems: string[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    if (!statSync(path).isFile()) {
      problems.push(`${display}: not a regular file (ignored)`);
      return undefined;
    }
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${display}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (ignored)`);
    return undefined;
  }
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  if (errors.length) {
    const e = errors[0];
    const line = text.slice(0, e.offset).split('\n').length;
    problems.push(`${display}:${line}: ${printParseErrorCode(e.error)} (the file is ignored)`);
    return undefined;
  }
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${display}: expected a JSON object (ignored)`);
    return undefined;
  }
  return value as Record<string, unknown>;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
