// `npm run accuracy`: measures the static analysis on the labelled upstream corpus and rewrites the
// accuracy table in README.md (between the upstream-accuracy markers), printing every wrong answer.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fastclickSourceDir } from '../test/support/fastclickSource';
import { formatTable, measureUpstream, replaceReadmeBlock } from '../test/support/upstreamAccuracy';

async function main(): Promise<void> {
  const repoRoot = resolve(process.cwd());
  const { labels, report } = await measureUpstream(repoRoot, fastclickSourceDir());
  const table = formatTable(report, labels.fastclick);
  const readmePath = join(repoRoot, 'README.md');
  writeFileSync(readmePath, replaceReadmeBlock(readFileSync(readmePath, 'utf8'), table));
  console.log(table);
  console.log('\nWrong answers:');
  for (const v of report.verdicts) if (v.detail) console.log(`  ${v.name} [${v.confidence ?? '-'}]: ${v.detail}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
