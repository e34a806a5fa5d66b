// Runs the editor suite inside a real VS Code (code-server 4.100.3) offline: installs the packaged
// VSIX into a fresh extensions dir, starts code-server on 127.0.0.1, opens the workbench in Debian's
// Chromium through playwright-core, and runs test/editor/suite in the Node extension host through the
// workbench's `payload` parameter (docs/ARCHITECTURE.md §7).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TALLY_ELEMENTS_FOR_CHILD_INDEX, writeTallyElements } from '../support/tallyElements';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const OUTPUT_DIR = join(ROOT, 'test-output', 'editor');
const CODE_SERVER = join(ROOT, '.cache', 'code-server', 'node_modules', '.bin', 'code-server');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Sandbox {
  dir: string;
  userData: string;
  extensions: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
}

export function ensureCodeServer(): void {
  if (existsSync(CODE_SERVER)) return;
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'install-code-server.sh')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('could not install code-server (scripts/install-code-server.sh)');
}

export function makeSandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'flowmage-editor-'));
  const sandbox: Sandbox = {
    dir,
    userData: join(dir, 'user-data'),
    extensions: join(dir, 'extensions'),
    workspace: join(dir, 'workspace'),
    env: { ...process.env, FLOWMAGE_SCREENSHOTS: '1', XDG_CONFIG_HOME: join(dir, 'xdg-config'), XDG_DATA_HOME: join(dir, 'xdg-data'), XDG_CACHE_HOME: join(dir, 'xdg-cache') },
  };
  for (const d of [sandbox.userData, sandbox.extensions, join(sandbox.userData, 'User')]) mkdirSync(d, { recursive: true });
  cpSync(join(ROOT, 'test', 'fixtures', 'workspace'), sandbox.workspace, { recursive: true });
  // The element library of the examples is the workspace's C++ sources (one copy in the repository).
  cpSync(join(ROOT, 'examples', 'elements'), join(sandbox.workspace, 'elements'), { recursive: true });
  // Enough element files that the cold index goes to the server's child process, as on a real tree.
  writeTallyElements(join(sandbox.workspace, 'generated', 'tally'), TALLY_ELEMENTS_FOR_CHILD_INDEX);
  writeFileSync(
    join(sandbox.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'editor.hover.delay': 100,
        'flowmage.log.level': 'debug',
      },
      null,
      2,
    ),
  );
  return sandbox;
}

/** Installs the VSIX the way a user would and returns the installed extension's folder. */
export function installVsix(sandbox: Sandbox, vsix: string): string {
  const r = spawnSync(CODE_SERVER, ['--extensions-dir', sandbox.extensions, '--user-data-dir', sandbox.userData, '--install-extension', vsix], {
    env: sandbox.env,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed:\n${r.stdout}\n${r.stderr}`);
  const installed = readdirSync(sandbox.extensions).find((d) => d.startsWith('flowmage.flowmage-'));
  if (!installed) throw new Error(`the VSIX did not install into ${sandbox.extensions}:\n${r.stdout}`);
  return join(sandbox.extensions, installed);
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => res(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export function startCodeServer(sandbox: Sandbox, port: number, log: (line: string) => void): ChildProcess {
  const child = spawn(
    CODE_SERVER,
    [
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--user-data-dir',
      sandbox.userData,
      '--extensions-dir',
      sandbox.extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      sandbox.workspace,
    ],
    { env: sandbox.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d) => log(`[code-server] ${String(d).trimEnd()}`));
  child.stderr?.on('data', (d) => log(`[code-server] ${String(d).trimEnd()}`));
  return child;
}

export async function waitForHealthy(port: number, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < end) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not become healthy within ${deadlineMs} ms (${last})`);
}

export function killGroup(child: ChildProcess | undefined): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

export function removeSandbox(sandbox: Sandbox): void {
  rmSync(sandbox.dir, { recursive: true, force: true });
}

export { CHROMIUM };
