// Reading inside configuration values: quotes, comments, variables (`$x`, `${x}`, `${x-default}`),
// `define` arguments and variable expansion, following click(5)'s rules: single quotes are literal,
// double quotes take backslash escapes and expand variables, `\<...>` is a hex block.

/** Offset of a quote that is never closed in `value`, or -1. */
export function findUnterminatedQuote(value: string): number {
  let i = 0;
  const n = value.length;
  while (i < n) {
    const c = value.charCodeAt(i);
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      const end = skipQuoted(value, i);
      if (end < 0) return i;
      i = end;
    } else if (c === 0x2f /* / */ && value[i + 1] === '*') {
      const close = value.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === 0x2f && value[i + 1] === '/') {
      const nl = value.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === 0x5c /* \ */ && value[i + 1] === '<') {
      const close = value.indexOf('>', i + 2);
      i = close < 0 ? n : close + 1;
    } else i++;
  }
  return -1;
}

/** Index just past the quoted string that starts at `start`, or -1 when it is not closed. */
function skipQuoted(value: string, start: number): number {
  const quote = value[start];
  for (let i = start + 1; i < value.length; i++) {
    const c = value[i];
    if (c === quote) return i + 1;
    if (c === '\\' && quote === '"') {
      if (value[i + 1] === '<') {
        const close = value.indexOf('>', i + 2);
        if (close < 0) return -1;
        i = close;
      } else i++;
    }
  }
  return -1;
}

export interface VariableOccurrence {
  name: string;
  defaultValue?: string;
  /** Offsets in the value, `[start, end)`, covering `$name` or `${...}`. */
  start: number;
  end: number;
}

const WORD = /[A-Za-z0-9_]/;

/** The variables written in a value, skipping single-quoted text and comments. */
export function findVariables(value: string): VariableOccurrence[] {
  const out: VariableOccurrence[] = [];
  if (value.indexOf('$') < 0) return out;
  let quote = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quote === '"') {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      if (!quote) quote = c;
      else if (quote === c) quote = '';
      continue;
    }
    if (!quote && c === '/' && (value[i + 1] === '*' || value[i + 1] === '/')) {
      const close = value[i + 1] === '*' ? value.indexOf('*/', i + 2) : value.indexOf('\n', i);
      i = close < 0 ? value.length : close + (value[i + 1] === '*' ? 1 : 0);
      continue;
    }
    if (c !== '$' || quote === "'") continue;
    if (value[i + 1] === '{') {
      const close = value.indexOf('}', i + 2);
      if (close < 0) break;
      const inner = value.slice(i + 2, close);
      const m = /^\s*([A-Za-z0-9_]+)\s*(?:\[\s*\d+\s*\]\s*)?(?:-([\s\S]*))?$/.exec(inner);
      if (m) out.push({ name: m[1], defaultValue: m[2], start: i, end: close + 1 });
      i = close;
    } else if (value[i + 1] !== undefined && WORD.test(value[i + 1])) {
      let j = i + 1;
      while (j < value.length && WORD.test(value[j])) j++;
      out.push({ name: value.slice(i + 1, j), start: i, end: j });
      i = j - 1;
    }
  }
  return out;
}

/**
 * Replaces variables by their values (recursively, as Click does, up to a small depth). Unknown
 * variables keep their default, or stay as written. A define that refers to itself several times
 * could grow without bound: past `limit` characters the value is returned unexpanded.
 */
export function expandVariables(value: string, lookup: (name: string) => string | undefined, limit = 65536): string {
  const budget = { left: limit };
  const out = expand(value, lookup, 0, budget);
  return out === undefined ? value : out;
}

function expand(value: string, lookup: (name: string) => string | undefined, depth: number, budget: { left: number }): string | undefined {
  const vars = findVariables(value);
  if (vars.length === 0 || depth > 10) return value;
  let out = '';
  let last = 0;
  for (const v of vars) {
    const defined = lookup(v.name);
    const source = defined ?? v.defaultValue;
    if (source === undefined) continue;
    const replacement = expand(source, lookup, depth + 1, budget);
    if (replacement === undefined) return undefined;
    out += value.slice(last, v.start) + replacement;
    last = v.end;
    budget.left -= replacement.length;
    if (budget.left < 0) return undefined;
  }
  return out + value.slice(last);
}

export interface DefineParts {
  /** Without `$`; undefined when the first word is not a `$variable`. */
  name?: string;
  nameStart: number;
  nameEnd: number;
  value: string;
  valueStart: number;
  valueEnd: number;
}

/** Splits one `define` argument, `$name value`, into its name and value (offsets in `arg`). */
export function splitDefine(arg: string): DefineParts {
  const m = /^\S+/.exec(arg);
  const word = m ? m[0] : '';
  const nameEnd = word.length;
  let valueStart = nameEnd;
  while (valueStart < arg.length && /\s/.test(arg[valueStart])) valueStart++;
  const ok = /^\$[A-Za-z0-9_]+$/.test(word);
  return {
    name: ok ? word.slice(1) : undefined,
    nameStart: 0,
    nameEnd,
    value: arg.slice(valueStart),
    valueStart,
    valueEnd: arg.length,
  };
}
