// Run by hostileSources.test.ts in its own process: limits the tree-sitter WASM memory to 32 MB so a
// few MB of C++ make the runtime abort, indexes the tree given as argv[2], then parses a .click text.
// Prints what survived as JSON.
import { join } from 'node:path';
import { Parser } from 'web-tree-sitter';
import { FeatureTracker } from '../../server/src/core/analysis/featureTracker';
import { parseClick } from '../../server/src/core/click/clickDocument';
import { ElementIndex } from '../../server/src/core/cpp/elementIndex';
import { FeatureStore } from '../../server/src/core/store/featureStore';
import { wasmDirectory } from '../../server/src/core/treeSitter';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => unknown } }).WebAssembly;
  // 512 pages of 64 KB: the least the runtime starts with, and all it may grow to.
  await Parser.init({ wasmMemory: new wasm.Memory({ initial: 512, maximum: 512 }), locateFile: (f: string) => join(wasmDirectory(), f) });
  const index = await ElementIndex.create({ maxFileBytes: 1e9 });
  // On this thread: parse workers have runtimes of their own, without the limit.
  await index.build([dir], { workers: 0 });
  const tracker = new FeatureTracker(index, FeatureStore.memory(dir));
  await tracker.analyzeAll();
  const model = await parseClick('src :: FromDevice(0) -> c :: Counter -> Discard;\n');
  const features: Record<string, string[] | null> = {};
  for (const t of tracker.all()) features[t.info.clickName] = t.features.stateful ? t.features.flowKey : null;
  const recoveries = (index as unknown as { parser: { recoveries: number } }).parser.recoveries;
  process.stdout.write(JSON.stringify({ problems: index.problems, features, clickElements: model.elements.length, recoveries }));
}

main().catch((err) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
