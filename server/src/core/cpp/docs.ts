// Element documentation from Click's header comments: `=c` synopsis, `=s` category, `=d`
// description, `=item KEYWORD` per keyword argument, `=h` handlers, `=e` example, `=a` see also.
// Hover and keyword completion read this structure; the text keeps Click's pod-like markup
// (I<...>, B<...>, C<...>, L<...>) which `podToMarkdown` converts.

export interface DocItem {
  keyword: string;
  text: string;
}

export interface DocHandler {
  name: string;
  /** `read-only`, `write-only`, `read/write`, ... as written; may be empty. */
  mode: string;
  text: string;
}

export interface ElementDoc {
  /** The Click name, the first word of the synopsis. */
  name: string;
  synopsis: string;
  /** The `=s` word (`counters`, `flow`, `netdevices`). */
  category: string;
  /** The one-line summary under `=s`. */
  summary: string;
  description: string;
  items: DocItem[];
  handlers: DocHandler[];
  example: string;
  seeAlso: string[];
  /** Offsets of the comment in its file. */
  start: number;
  end: number;
}

const COMMENT_RE = /\/\*[\s\S]*?\*\//g;

/** Every Click documentation comment (one with a `=c` line) in a C++ file. */
export function extractDocs(text: string): ElementDoc[] {
  const docs: ElementDoc[] = [];
  if (!text.includes('=c')) return docs;
  COMMENT_RE.lastIndex = 0;
  for (let m = COMMENT_RE.exec(text); m; m = COMMENT_RE.exec(text)) {
    if (!/^[\s*]*=c\b/m.test(m[0])) continue;
    const doc = parseDocComment(m[0]);
    if (doc) docs.push({ ...doc, start: m.index, end: m.index + m[0].length });
  }
  return docs;
}

/** Parses one comment (with or without its delimiters); undefined when it has no `=c` synopsis. */
export function parseDocComment(comment: string): Omit<ElementDoc, 'start' | 'end'> | undefined {
  const lines = comment
    .replace(/^\/\*+/, '')
    .replace(/\*+\/$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\*(?!\/)\s?/, '').replace(/\s+$/, ''));
  const sections: Array<{ tag: string; arg: string; body: string[] }> = [];
  let current: { tag: string; arg: string; body: string[] } | undefined;
  for (const raw of lines) {
    const line = raw.replace(/^\s+(?==)/, '');
    const d = /^=(\w+)\b\s*(.*)$/.exec(line);
    if (d) {
      current = { tag: d[1], arg: d[2], body: [] };
      sections.push(current);
    } else if (current) current.body.push(raw);
  }
  const section = (tag: string) => sections.find((s) => s.tag === tag);
  const c = section('c');
  if (!c) return undefined;
  const synopsis = paragraph([c.arg, ...c.body]);
  const name = /^\s*([A-Za-z_][\w@/]*)/.exec(synopsis)?.[1];
  if (!name) return undefined;
  const s = section('s');
  return {
    name,
    synopsis,
    category: s ? s.arg.trim() : '',
    summary: s ? paragraph(s.body) : '',
    description: block(section('d')),
    items: sections.filter((x) => x.tag === 'item').map((x) => ({ keyword: x.arg.trim(), text: paragraph(x.body) })),
    handlers: sections
      .filter((x) => x.tag === 'h')
      .map((x) => {
        const [hname = '', ...mode] = x.arg.trim().split(/\s+/);
        return { name: hname, mode: mode.join(' '), text: paragraph(x.body) };
      }),
    example: block(section('e')),
    seeAlso: block(section('a'))
      .split(/[,\s]+/)
      .map((x) => x.replace(/^L<|>$/g, '').replace(/\(.*$/, ''))
      .filter(Boolean),
  };
}

/** Trims blank lines around a section and the common indentation. */
function paragraph(lines: string[]): string {
  const kept = [...lines];
  while (kept.length && !kept[0].trim()) kept.shift();
  while (kept.length && !kept[kept.length - 1].trim()) kept.pop();
  const indent = Math.min(...kept.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)![0].length), 1000);
  return kept
    .map((l) => l.slice(indent === 1000 ? 0 : indent))
    .join('\n')
    .trim();
}

function block(section: { arg: string; body: string[] } | undefined): string {
  if (!section) return '';
  return paragraph([section.arg, ...section.body]);
}

/** Click's pod-like markup to Markdown: I<x> → *x*, B<x> → **x**, C<x> → `x`, L<x> → x. */
export function podToMarkdown(text: string): string {
  let out = text;
  for (let i = 0; i < 3; i++) {
    out = out
      .replace(/I<([^<>]*)>/g, '*$1*')
      .replace(/B<([^<>]*)>/g, '**$1**')
      .replace(/C<([^<>]*)>/g, '`$1`')
      .replace(/[LEFU]<([^<>]*)>/g, '$1');
  }
  return out;
}
