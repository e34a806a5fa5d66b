// `npm run bench`: runs every bench module beside this file (test/bench/*.ts, bundled to
// out/test/bench/*.js) and prints its figures. A module exports `bench(): Promise<BenchResult[]>`
// and optionally `name`. Figures are printed, never asserted (docs/ARCHITECTURE.md §7).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './benchResult';

interface BenchModule {
  name?: string;
  bench?: () => Promise<BenchResult[] | void>;
}

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.js') && f !== 'run.js')
    .filter((f) => !only.length || only.some((o) => f.startsWith(o)))
    .sort();
  let failed = 0;
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(__dirname, file)) as BenchModule;
    if (typeof mod.bench !== 'function') continue;
    console.log(`\n${mod.name ?? file}`);
    try {
      for (const r of (await mod.bench()) ?? []) {
        const target = r.target !== undefined ? ` (target < ${r.target} ${r.unit}: ${r.value < r.target ? 'met' : 'MISSED'})` : '';
        console.log(`  ${r.name}: ${r.value} ${r.unit}${target}${r.detail ? `; ${r.detail}` : ''}`);
      }
    } catch (err) {
      failed++;
      console.log(`  failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  return failed ? 1 : 0;
}

main().then((code) => (process.exitCode = code));
