// `npm run test:electron`: the same editor suite under @vscode/test-electron, for machines that can
// download VS Code. Offline it fails fast with a clear message; `npm test` never depends on it.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests, downloadAndUnzipVSCode } from '@vscode/test-electron';

const ROOT = resolve(__dirname, '..', '..', '..');

async function main(): Promise<number> {
  let vscodeExecutablePath: string;
  try {
    vscodeExecutablePath = await Promise.race([
      downloadAndUnzipVSCode('1.100.3'),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timed out after 60 s')), 60_000)),
    ]);
  } catch (err) {
    console.error(`test:electron needs to download VS Code 1.100.3 and could not: ${err instanceof Error ? err.message : String(err)}`);
    console.error('Offline, use `npm run test:editor` (code-server) instead.');
    return 2;
  }
  const workspace = join(mkdtempSync(join(tmpdir(), 'flowmage-electron-')), 'workspace');
  cpSync(join(ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  // The element library of the examples is the workspace's C++ sources (one copy in the repository).
  cpSync(join(ROOT, 'examples', 'elements'), join(workspace, 'elements'), { recursive: true });
  return runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(ROOT, 'out', 'test', 'editor', 'suite', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`test:electron failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
