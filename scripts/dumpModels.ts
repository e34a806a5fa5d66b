// Dumps the C++ models extractCppFile builds for every C++ file under a root, and times the extraction.
// A refactoring of the extractor must leave the dump byte-identical (compare two dumps with `cmp`).
// Usage: node out/scripts/dumpModels.js <root> <out.json> [--runs N]
// The JSON holds every file's model (sorted by path, `text` dropped; a file the extractor throws on
// gets its error message instead). The CPU time (user+sys) of the extraction loop, parser creation
// and file reading excluded, is printed as the best of N runs (default 3) in this one process; then
// the same without parsing (every tree parsed once beforehand and handed out as a copy), which is
// what the extractor's own walk of the trees costs, less noisy on a shared machine.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Tree } from 'web-tree-sitter';
import { extractCppFile, type CppParser } from '../server/src/core/cpp/extract';
import { listSourceFiles } from '../server/src/core/cpp/sourceFiles';
import { createParser } from '../server/src/core/treeSitter';

type Entry = { path: string; model?: unknown; error?: string };

/** Runs extractCppFile over every file; returns the models and the CPU milliseconds the loop took. */
function extractAll(parser: CppParser, root: string, files: string[], texts: string[]): { entries: Entry[]; cpuMs: number } {
  const entries: Entry[] = [];
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
  return { entries, cpuMs: (used.user + used.system) / 1000 };
}

/** A parser that parses each text once and then hands out copies of the tree (cheap: shared, refcounted). */
class MemoParser implements CppParser {
  private readonly trees = new Map<string, Tree | null>();
  constructor(private readonly parser: CppParser) {}
  parse(text: string): Tree | null {
    if (!this.trees.has(text)) this.trees.set(text, this.parser.parse(text));
    return this.trees.get(text)?.copy() ?? null;
  }
  delete(): void {
    for (const t of this.trees.values()) t?.delete();
  }
}

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
  let dump: Entry[] = [];
  for (let run = 0; run < runs; run++) {
    const { entries, cpuMs } = extractAll(parser, root, files, texts);
    best = Math.min(best, cpuMs);
    dump = entries;
  }
  writeFileSync(outFile, JSON.stringify(dump) + '\n');
  console.log(`${files.length} files, extraction CPU best of ${runs}: ${best.toFixed(0)} ms`);

  const memo = new MemoParser(parser);
  extractAll(memo, root, files, texts); // parses every text once
  let bestWalk = Infinity;
  let walked: Entry[] = [];
  for (let run = 0; run < runs; run++) {
    const { entries, cpuMs } = extractAll(memo, root, files, texts);
    bestWalk = Math.min(bestWalk, cpuMs);
    walked = entries;
  }
  if (JSON.stringify(walked) !== JSON.stringify(dump)) throw new Error('the models differ when the trees are parsed beforehand');
  memo.delete();
  parser.delete();
  console.log(`${files.length} files, extraction CPU without parsing, best of ${runs}: ${bestWalk.toFixed(0)} ms`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
