// `npm run test:editor`: the editor suite inside code-server, driven by playwright-core.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, OUTPUT_DIR, ROOT, ensureCodeServer, freePort, installVsix, killGroup, makeSandbox, removeSandbox, startCodeServer, waitForHealthy } from './codeServer';

const SUITE_TIMEOUT_MS = 15 * 60 * 1000;

async function main(): Promise<number> {
  const vsix = join(ROOT, 'flowmage.vsix');
  if (!existsSync(vsix)) throw new Error('flowmage.vsix is missing: run `npm run package` first');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  ensureCodeServer();
  mkdirSync(OUTPUT_DIR, { recursive: true });
  rmSync(join(OUTPUT_DIR, 'report.txt'), { force: true });

  const sandbox = makeSandbox();
  const logLines: string[] = [];
  const log = (line: string) => {
    logLines.push(line);
    if (process.env.FLOWMAGE_EDITOR_VERBOSE) console.log(line);
  };
  const extensionPath = installVsix(sandbox, vsix);
  console.log(`installed ${vsix} into ${extensionPath}`);

  const port = await freePort();
  const server = startCodeServer(sandbox, port, log);
  let browser: Browser | undefined;
  try {
    await waitForHealthy(port, 60_000);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    let finish: (code: number) => void = () => {};
    const finished = new Promise<number>((res) => (finish = res));
    // The suite asks for screenshots by writing test-output/editor/requests/<name>; it waits for <name>.png.
    // A request <name>.webview-click holds a CSS selector to click inside the open webview; the
    // runner answers with <name>.webview-click.done (holding "ok" or the error).
    const requests = join(OUTPUT_DIR, 'requests');
    rmSync(requests, { recursive: true, force: true });
    mkdirSync(requests, { recursive: true });
    let shooting = false;
    const poll = setInterval(async () => {
      if (shooting) return;
      shooting = true;
      try {
        for (const name of readdirSync(requests)) {
          if (name.endsWith('.done')) continue;
          if (name.endsWith('.webview-click')) {
            const selector = readFileSync(join(requests, name), 'utf8');
            let answer = 'ok';
            try {
              // A webview is an iframe holding the page's iframe.
              await page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator(selector).first().click({ timeout: 10_000 });
            } catch (err) {
              answer = String(err);
            }
            rmSync(join(requests, name));
            writeFileSync(join(requests, `${name}.done`), answer);
            continue;
          }
          const file = join(OUTPUT_DIR, `${name}.png`);
          await page.waitForTimeout(300); // let the last render settle
          await page.screenshot({ path: `${file}.tmp`, type: 'png' });
          renameSync(`${file}.tmp`, file);
          rmSync(join(requests, name));
          console.log(`screenshot: ${file}`);
        }
      } catch (err) {
        log(`screenshot failed: ${String(err)}`);
      } finally {
        shooting = false;
      }
    }, 200);
    await page.exposeFunction('codeAutomationLog', (_level: string, message: unknown) => log(`[log] ${Array.isArray(message) ? message.join(' ') : String(message)}`));
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
    page.on('console', (m) => log(`[console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => log(`[pageerror] ${e.message}`));

    const testsPath = join(ROOT, 'out', 'test', 'editor', 'suite', 'index.js');
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://remote${extensionPath}`],
      ['extensionTestsPath', `vscode-remote://remote${testsPath}`],
    ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(sandbox.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    const timeout = new Promise<number>((res) => setTimeout(() => res(-1), SUITE_TIMEOUT_MS));
    const code = await Promise.race([finished, timeout]);
    clearInterval(poll);
    const report = join(OUTPUT_DIR, 'report.txt');
    if (existsSync(report)) console.log(readFileSync(report, 'utf8'));
    if (code === -1) {
      await page.screenshot({ path: join(OUTPUT_DIR, 'timeout.png') }).catch(() => undefined);
      console.error(`the editor suite did not finish within ${SUITE_TIMEOUT_MS / 60000} minutes`);
    }
    return code === 0 ? 0 : 1;
  } finally {
    writeFileSync(join(OUTPUT_DIR, 'editor.log'), logLines.join('\n') + '\n');
    await browser?.close().catch(() => undefined);
    killGroup(server);
    // FLOWMAGE_EDITOR_KEEP=1 keeps the sandbox: the server log is in user-data/logs/*/exthost1/flowmage.flowmage/.
    if (!process.env.FLOWMAGE_EDITOR_KEEP) removeSandbox(sandbox);
  }
}

main().then(
  (code) => {
    console.log(code === 0 ? 'editor suite passed' : `editor suite FAILED (log: ${join(OUTPUT_DIR, 'editor.log')})`);
    process.exit(code);
  },
  (err) => {
    console.error(`editor suite could not run: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
