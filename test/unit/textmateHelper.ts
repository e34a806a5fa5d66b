// Tokenizes Click text with the extension's TextMate grammar through vscode-textmate and
// vscode-oniguruma, the same engines VS Code uses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

export const ROOT = join(__dirname, '..', '..', '..');

let registry: Promise<vsctm.IGrammar> | undefined;

export function clickGrammar(): Promise<vsctm.IGrammar> {
  registry ??= (async () => {
    const wasm = readFileSync(join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const reg = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => {
        if (scopeName !== 'source.click') return null;
        const path = join(ROOT, 'syntaxes', 'click.tmLanguage.json');
        return vsctm.parseRawGrammar(readFileSync(path, 'utf8'), path);
      },
    });
    const grammar = await reg.loadGrammar('source.click');
    if (!grammar) throw new Error('could not load source.click');
    return grammar;
  })();
  return registry;
}

export interface Token {
  text: string;
  scopes: string[];
}

/** Tokens of a multi-line text, line by line, carrying the rule stack across lines as VS Code does. */
export async function tokenize(text: string): Promise<Token[][]> {
  const grammar = await clickGrammar();
  let stack = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** The innermost scope of the token that holds the n-th occurrence of `word` (tokens may split it). */
export async function scopeOf(text: string, word: string, occurrence = 1): Promise<string> {
  const lines = await tokenize(text);
  let seen = 0;
  for (const line of lines) {
    let col = 0;
    const joined = line.map((t) => t.text).join('');
    let at = joined.indexOf(word);
    while (at >= 0) {
      seen++;
      if (seen === occurrence) {
        for (const t of line) {
          if (at >= col && at < col + t.text.length) return t.scopes[t.scopes.length - 1];
          col += t.text.length;
        }
      }
      at = joined.indexOf(word, at + 1);
    }
  }
  throw new Error(`"${word}" (occurrence ${occurrence}) not found in the text`);
}
