// `EXPORT_ELEMENT(Class-Alias ...)`: the Click names a class is exported under besides its own.
const ALIAS_RE = /\bEXPORT_ELEMENT\s*\(([^)]*)\)/g;

/** Aliases of `className` in one file's text (`EXPORT_ELEMENT(A-B)` exports A as B). */
export function exportAliasesIn(text: string, className: string): string[] {
  const out: string[] = [];
  if (!text.includes('EXPORT_ELEMENT')) return out;
  ALIAS_RE.lastIndex = 0;
  for (let m = ALIAS_RE.exec(text); m; m = ALIAS_RE.exec(text)) {
    for (const word of m[1].split(/\s+/)) {
      const [cls, alias] = word.split('-');
      if (cls === className && alias) out.push(alias);
    }
  }
  return out;
}
