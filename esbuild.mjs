// Builds the extension client, the language server and the CLI into dist/, and the tests into out/.
// Usage: node esbuild.mjs [--watch] [--production] [--tests]
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const withTests = process.argv.includes('--tests') || watch;

// web-tree-sitter's ESM build uses import.meta.url, which breaks inside a CommonJS bundle.
const treeSitterCjs = require.resolve('web-tree-sitter');
// jsonc-parser's UMD build requires its parts dynamically, which a bundle cannot follow: take its ESM build.
const jsoncParserEsm = join(dirname(require.resolve('jsonc-parser/package.json')), 'lib', 'esm', 'main.js');

const wasmFiles = [
  require.resolve('web-tree-sitter/tree-sitter.wasm'),
  join(dirname(require.resolve('tree-sitter-cpp/package.json')), 'tree-sitter-cpp.wasm'),
  'server/grammar/tree-sitter-click.wasm',
];

function copyWasm() {
  mkdirSync('dist', { recursive: true });
  for (const file of wasmFiles) {
    if (!existsSync(file)) {
      console.warn(`[esbuild] missing ${file}`);
      continue;
    }
    copyFileSync(file, join('dist', file.split('/').pop()));
  }
}

// The tokenizer's encodings are megabytes of tables only an LLM request needs: each is a bundle of
// its own beside the products, required on first use (core/llm/tokens.ts), so loading the server
// or the CLI never reads them.
const ENCODINGS = ['cl100k_base', 'o200k_base'];
const encodingFile = (name) => `tokenizer-${name}.js`;
const encodingsApart = {
  name: 'tokenizer-encodings-apart',
  setup(build) {
    build.onResolve({ filter: /^gpt-tokenizer\/cjs\/encoding\/\w+$/ }, (args) => {
      const name = args.path.split('/').pop();
      return ENCODINGS.includes(name) ? { path: `./${encodingFile(name)}`, external: true } : undefined;
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  alias: { 'web-tree-sitter': treeSitterCjs, 'jsonc-parser': jsoncParserEsm },
};

const products = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', plugins: [encodingsApart] },
  { entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [encodingsApart] },
  // The parse worker (server/src/core/cpp/parsePool.ts starts it from dist/, beside the .wasm files).
  { entryPoints: ['server/src/core/cpp/parseWorker.ts'], outfile: 'dist/parseWorker.js' },
  // The index's child process (server/src/core/index/indexProcess.ts forks it from dist/ too).
  { entryPoints: ['server/src/indexProcessMain.ts'], outfile: 'dist/indexProcess.js' },
  ...ENCODINGS.map((name) => ({ entryPoints: [require.resolve(`gpt-tokenizer/cjs/encoding/${name}`)], outfile: `dist/${encodingFile(name)}` })),
  // The chain view's page script and stylesheet, loaded by the webview (never by Node).
  { entryPoints: ['client/src/webview/chainView.ts'], outfile: 'dist/chainView.js', platform: 'browser', format: 'iife', target: 'es2022', alias: {} },
  { entryPoints: ['client/src/webview/chainView.css'], outfile: 'dist/chainView.css', platform: 'browser', alias: {} },
];

function listTests(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(full).isDirectory()) listTests(full, out);
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

// Tests keep npm packages external (they run from the clone, next to node_modules) but bundle our
// own sources, so every test sees exactly the code the products are built from.
const testBuild = {
  ...common,
  alias: {},
  entryPoints: [...listTests('test'), ...listTests('scripts')],
  outdir: 'out',
  outbase: '.',
  packages: 'external',
  external: ['vscode'],
  sourcemap: true,
  minify: false,
};

const copyPlugin = {
  name: 'copy-wasm',
  setup(build) {
    build.onEnd(() => copyWasm());
  },
};

if (watch) {
  const contexts = await Promise.all([...products.map((p) => ({ ...common, ...p })), testBuild].map((o) => esbuild.context({ ...o, plugins: [...(o.plugins ?? []), copyPlugin] })));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching for changes');
} else {
  await Promise.all(products.map((p) => esbuild.build({ ...common, ...p })));
  copyWasm();
  if (withTests) await esbuild.build(testBuild);
  console.log(`[esbuild] built ${products.length} bundles${withTests ? ' and tests' : ''} (${relative('.', 'dist')})`);
}
