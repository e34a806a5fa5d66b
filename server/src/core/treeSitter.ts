// Loads web-tree-sitter and our grammars once per process. The .wasm files sit next to the bundles in
// dist/ (esbuild copies them); tests and scripts run from elsewhere in the clone and find dist/ by
// walking up. FLOWMAGE_WASM_DIR overrides both.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

export type GrammarName = 'click' | 'cpp';

const WASM_FILES: Record<GrammarName, string> = {
  click: 'tree-sitter-click.wasm',
  cpp: 'tree-sitter-cpp.wasm',
};

let initialized: Promise<void> | undefined;
const languages = new Map<GrammarName, Promise<Language>>();

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

function init(): Promise<void> {
  initialized ??= Parser.init({ locateFile: (file: string) => join(wasmDirectory(), file) });
  return initialized;
}

export async function loadLanguage(name: GrammarName): Promise<Language> {
  let lang = languages.get(name);
  if (!lang) {
    lang = init().then(() => Language.load(join(wasmDirectory(), WASM_FILES[name])));
    languages.set(name, lang);
    lang.catch(() => languages.delete(name));
  }
  return lang;
}

/** A new parser for one grammar. Parsers are cheap; keep one per document or per worker. */
export async function createParser(name: GrammarName): Promise<Parser> {
  const language = await loadLanguage(name);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
