// Where the bundles' companions live: the .wasm files and the bundles started as processes or
// threads (dist/indexProcess.js, dist/parseWorker.js) sit next to the bundles in dist/ (esbuild
// copies them); tests and scripts run from elsewhere in the clone and find dist/ by walking up.
// FLOWMAGE_WASM_DIR overrides both. Kept apart from treeSitter.ts so that finding it loads nothing.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function wasmDirectory(): string {
  const override = process.env.FLOWMAGE_WASM_DIR;
  if (override) return override;
  if (existsSync(join(__dirname, 'tree-sitter.wasm'))) return __dirname;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'dist');
    if (existsSync(join(candidate, 'tree-sitter.wasm'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error('FlowMage: cannot find tree-sitter.wasm (run `npm run build` to create dist/)');
}
