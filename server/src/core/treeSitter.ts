// Loads web-tree-sitter and our grammars once per process, from dist/ (distDirectory.ts).
import { join } from 'node:path';
import { Language, Parser, type ParseOptions, type Tree } from 'web-tree-sitter';
import { wasmDirectory } from './distDirectory';

export { wasmDirectory };

export type GrammarName = 'click' | 'cpp';

const WASM_FILES: Record<GrammarName, string> = {
  click: 'tree-sitter-click.wasm',
  cpp: 'tree-sitter-cpp.wasm',
};

let initialized: Promise<void> | undefined;
const languages = new Map<GrammarName, Promise<Language>>();

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
export async function createParser(name: GrammarName): Promise<RecoveringParser> {
  return new RecoveringParser(await loadLanguage(name));
}

/**
 * The WASM runtime aborts (`Aborted()`, a WebAssembly.RuntimeError) when a parse exhausts its
 * memory. The parser that was parsing is then unusable and still holds that memory, so every later
 * parse, of any grammar, aborts too. Deleting it frees the memory and a new parser works again.
 */
export class ParserAbortedError extends Error {
  constructor(cause: unknown) {
    super(`the tree-sitter runtime aborted (${cause instanceof Error ? cause.message.replace(/\. Build with .*$/, '') : String(cause)}); the parser was re-created`);
  }
}

export function isWasmAbort(err: unknown): boolean {
  // WebAssembly.RuntimeError: aborts, and traps such as out-of-bounds accesses, which leave the parser as broken.
  return err instanceof Error && (err.name === 'RuntimeError' || /^Aborted\(/.test(err.message));
}

/** A parser that replaces itself after a WASM abort, so the next parse works. */
export class RecoveringParser {
  private parser: Parser;
  /** How many times the parser was re-created after an abort. */
  recoveries = 0;

  constructor(private readonly language: Language) {
    this.parser = newParser(language);
  }

  /** Parses `text`; after an abort the parser is re-created and ParserAbortedError is thrown. */
  parse(input: string | ((index: number) => string), oldTree?: Tree | null, options?: ParseOptions): Tree | null {
    try {
      return this.parser.parse(input, oldTree, options);
    } catch (err) {
      if (!isWasmAbort(err)) throw err;
      this.recover();
      throw new ParserAbortedError(err);
    }
  }

  delete(): void {
    this.parser.delete();
  }

  private recover(): void {
    try {
      this.parser.delete();
    } catch {
      // the aborted parser may not delete cleanly; its replacement is what matters
    }
    this.parser = newParser(this.language);
    this.recoveries++;
  }
}

function newParser(language: Language): Parser {
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}
