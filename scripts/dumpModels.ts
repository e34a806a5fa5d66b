// Dumps the C++ models extractCppFile builds for every C++ file under a root, and times the extraction.
// A refactoring of the extractor must leave the dump byte-identical (compare two dumps with `cmp`).
// Usage: node out/scripts/dumpModels.js <root> <out.json> [--runs N]
// The JSON holds every file's model (sorted by path, `text` dropped; a file the extractor throws on
// gets its error message instead). The CPU time (user+sys) of the extraction loop, parser creation
// and file reading excluded, is printed as the best of N runs (default 3) in this one process.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { extractCppFile } from '../server/src/core/cpp/extract';
import { listSourceFiles } from '../server/src/core/cpp/sourceFiles';
import { createParser } from '../server/src/core/treeSitter';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
  const [rootArg, outFile] = args;
  if (!rootArg || !outFile || !(runs >= 1)) throw new Error('usage: node out/scripts/dumpModels.js <root> <out.json> [--runs N]');
  const root = resolve(rootArg);
  const listing = await listSourceFiles([root]);
  if (listing.problems.length) throw new Error(listing.problems.join('; '));
  const files = [...listing.files].sort();
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const parser = await createParser('cpp');

  let best = Infinity;
  let dump: Array<{ path: string; model?: unknown; error?: string }> = [];
  for (let run = 0; run < runs; run++) {
    const entries: typeof dump = [];
    const before = process.cpuUsage();
    for (let i = 0; i < files.length; i++) {
      const path = relative(root, files[i]);
      try {
        const { text: _text, ...model } = extractCppFile(parser, path, texts[i]);
        entries.push({ path, model });
      } catch (err) {
        entries.push({ path, error: err instanceof Error ? err.message : String(err) });
      }
    }
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
    dump = entries;
  }
  parser.delete();
  writeFileSync(outFile, JSON.stringify(dump) + '\n');
  console.log(`${files.length} files, extraction CPU best of ${runs}: ${best.toFixed(0)} ms`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
