// Reads and runs tree-sitter corpus files (the `test/corpus/*.txt` format of grammar repositories)
// with web-tree-sitter, so the grammar's corpus runs under mocha without the tree-sitter CLI.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CorpusCase {
  name: string;
  input: string;
  expected: string;
  /** `:error`: only check that the tree has an error. */
  expectError: boolean;
  file: string;
}

const HEADER = /^(={3,})\n([^\n]*)\n((?::[^\n]*\n)*)\1\n/gm;

export function readCorpus(dir: string): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
    const headers = [...text.matchAll(HEADER)];
    headers.forEach((h, i) => {
      const bodyStart = (h.index ?? 0) + h[0].length;
      const bodyEnd = i + 1 < headers.length ? (headers[i + 1].index ?? text.length) : text.length;
      const body = text.slice(bodyStart, bodyEnd);
      // The input ends at the last line of dashes (tree-sitter allows dashes inside the input).
      const dashes = [...body.matchAll(/^-{3,}\n/gm)];
      const sep = dashes[dashes.length - 1];
      if (!sep) throw new Error(`${file}: case "${h[2]}" has no --- separator`);
      cases.push({
        name: h[2].trim(),
        input: body.slice(0, sep.index).replace(/\n$/, ''),
        expected: body.slice((sep.index ?? 0) + sep[0].length).trim(),
        expectError: /^:error/m.test(h[3]),
        file,
      });
    });
  }
  return cases;
}

/** Whitespace-insensitive S-expression, as `tree-sitter test` compares them. */
export function normalizeSexp(s: string): string {
  return s.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
}

/** Field names (`name: (x)`) are compared only when the expectation writes them. */
export function stripFields(s: string): string {
  return s.replace(/\b[a-z_]+: /g, '');
}

export function matches(expected: string, actual: string): boolean {
  const e = normalizeSexp(expected);
  const a = normalizeSexp(actual);
  return e === (/\b[a-z_]+: \(/.test(e) ? a : stripFields(a));
}

/** Pretty-prints an S-expression one node per line, as corpus files are written. */
export function formatSexp(sexp: string): string {
  const tokens = normalizeSexp(sexp).match(/\(|\)|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s()]+/g) ?? [];
  let out = '';
  let depth = 0;
  let afterField = false;
  for (const t of tokens) {
    if (t === '(') {
      if (afterField) out += ' ';
      else if (out && !out.endsWith('(')) out += '\n' + '  '.repeat(depth);
      out += '(';
      depth++;
      afterField = false;
    } else if (t === ')') {
      out += ')';
      depth--;
    } else if (t.endsWith(':') && /^[a-z_]+:$/.test(t)) {
      out += '\n' + '  '.repeat(depth) + t;
      afterField = true;
    } else {
      out += out.endsWith('(') ? t : ' ' + t;
      afterField = false;
    }
  }
  return out;
}

/** Rewrites a corpus file with actual trees (FLOWMAGE_CORPUS_UPDATE=1), like `tree-sitter test -u`. */
export function updateCorpusFile(file: string, actual: Map<string, string>): void {
  const text = readFileSync(file, 'utf8');
  const headers = [...text.matchAll(HEADER)];
  let out = '';
  headers.forEach((h, i) => {
    const bodyStart = (h.index ?? 0) + h[0].length;
    const bodyEnd = i + 1 < headers.length ? (headers[i + 1].index ?? text.length) : text.length;
    const body = text.slice(bodyStart, bodyEnd);
    const dashes = [...body.matchAll(/^-{3,}\n/gm)];
    const sep = dashes[dashes.length - 1];
    const name = h[2].trim();
    const tree = actual.get(name);
    const expected = tree ? formatSexp(tree) : body.slice((sep.index ?? 0) + sep[0].length).trim();
    out += h[0] + body.slice(0, (sep.index ?? 0) + sep[0].length) + '\n' + expected + '\n' + (i + 1 < headers.length ? '\n' : '');
  });
  writeFileSync(file, out);
}
