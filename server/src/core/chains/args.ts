// Reading element arguments as the configuration sets them: keyword lookup (the last repeat wins,
// as in Click) and `$variable` substitution from compound formals and `define`s.
import type { ClickArg, ClickElement } from '../click/model';

export function keywordArg(el: ClickElement, keyword: string): ClickArg | undefined {
  const args = el.config?.args ?? [];
  for (let i = args.length - 1; i >= 0; i--) if (args[i].keyword === keyword) return args[i];
  return undefined;
}

/** Substitutes `$name`, `${name}` and `${name-default}` from bindings, then defines. */
export function resolveArgValue(value: string, bindings: Map<string, string>, defines: Map<string, string>, depth = 0): string {
  if (depth > 8 || !value.includes('$')) return value;
  const out = value.replace(/\$\{([A-Za-z_][\w]*)(?:-([^}]*))?\}|\$([A-Za-z_][\w]*)/g, (whole, braced, dflt, bare) => {
    const name = braced ?? bare;
    const v = bindings.get(name) ?? defines.get(name) ?? dflt;
    return v === undefined ? whole : v;
  });
  return out === value ? out : resolveArgValue(out, bindings, defines, depth + 1);
}

export function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && ((v[0] === '"' && v.endsWith('"')) || (v[0] === "'" && v.endsWith("'")))) return v.slice(1, -1);
  return v;
}

/** Click's boolean syntax: true/false, yes/no, 1/0, on/off. */
export function parseClickBool(value: string): boolean | undefined {
  const v = unquote(value).toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  return undefined;
}
