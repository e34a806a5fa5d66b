// Helpers for the Click model tests: fixtures, a short way to print ranges, a seeded random source.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineIndex, type SourceRange } from '../../server/src/core/text';
import type { ConfigModel } from '../../server/src/core/click/model';

export const ROOT = join(__dirname, '..', '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'click');

export function fixture(...parts: string[]): string {
  return readFileSync(join(FIXTURES, ...parts), 'utf8');
}

export function fixtureNames(dir: 'valid' | 'broken'): string[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.click'))
    .sort();
}

/** `line:col-line:col`, 1-based, of a range of the model's text, for compact assertions. */
export function at(model: ConfigModel, r: SourceRange | undefined): string {
  if (!r) return 'none';
  const lines = new LineIndex(model.text);
  const start = lines.position(r.startOffset);
  const end = lines.position(r.endOffset);
  return `${start.line + 1}:${start.character + 1}-${end.line + 1}:${end.character + 1}`;
}

/** The text a range covers. */
export function textOf(model: ConfigModel, r: SourceRange | undefined): string | undefined {
  return r ? model.text.slice(r.startOffset, r.endOffset) : undefined;
}

/** `from[port] op [port]to` for every connection, in order. */
export function hookups(model: ConfigModel): string[] {
  return model.connections.map((c) => `${c.from.element}[${c.from.port}] ${c.contextName ? `~${c.contextName}>` : c.operator} [${c.to.port}]${c.to.element}`);
}

/** A small deterministic random source (tests must be reproducible). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Every .click file under a directory (a FastClick checkout), skipping VCS and package folders. */
export function clickFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === '.git' || name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) clickFiles(full, out);
    else if (name.endsWith('.click')) out.push(full);
  }
  return out;
}
