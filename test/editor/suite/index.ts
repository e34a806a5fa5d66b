// Entry the extension host calls (`extensionTestsPath`): runs every *.test.js beside this file with
// mocha and writes a plain report to test-output/editor/report.txt for the runner to print.
import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUTPUT_DIR } from './util';

export async function run(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require('mocha');
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
  // FLOWMAGE_EDITOR_TESTS=chainView,click runs only the files whose names contain one of the words.
  const only = (process.env.FLOWMAGE_EDITOR_TESTS ?? '')
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  for (const f of readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js') && (!only.length || only.some((w) => f.includes(w))))
    .sort())
    mocha.addFile(join(__dirname, f));
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const report = join(OUTPUT_DIR, 'report.txt');
  writeFileSync(report, '');
  const write = (line: string) => appendFileSync(report, line + '\n');
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures: number) => {
      write(failures ? `${failures} test(s) failed` : 'all editor tests passed');
      if (failures) reject(new Error(`${failures} editor test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t: { fullTitle(): string; duration?: number }) => write(`  ✔ ${t.fullTitle()} (${t.duration ?? 0} ms)`));
    runner.on('fail', (t: { fullTitle(): string }, err: Error) =>
      write(
        `  ✘ ${t.fullTitle()}\n      ${String(err?.stack ?? err)
          .split('\n')
          .join('\n      ')}`,
      ),
    );
  });
}
