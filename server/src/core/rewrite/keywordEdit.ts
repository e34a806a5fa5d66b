// The smallest text edit that makes an element's configuration carry `KEYWORD value`: replace the
// value of an existing keyword argument in place, else add the argument after the last one, else
// add the parentheses. Every other byte (comments, spacing, line breaks, $variables) is kept.
import type { ClickElement } from '../click/model';
import { keywordArg } from '../chains/args';
import { lineEnding } from '../files/textFile';
import type { LineIndex, TextEdit } from '../text';

export function keywordEdit(index: LineIndex, el: ClickElement, keyword: string, value: string): TextEdit | null {
  const text = index.text;
  const existing = keywordArg(el, keyword);
  if (existing) {
    if (existing.value === value) return null;
    return { range: existing.valueRange, newText: value };
  }
  const config = el.config;
  if (!config) {
    // `Class` without parentheses: `Class(KEYWORD value)`.
    const at = el.classRange.endOffset;
    return { range: index.range(at, at), newText: `(${keyword} ${value})` };
  }
  const last = config.args[config.args.length - 1];
  if (!last) {
    const at = config.openParenOffset + 1;
    const inner = text.slice(at, config.closeParenOffset ?? at);
    // `()` or `(  )`: put the argument right after `(`, keeping whatever whitespace follows.
    return { range: index.range(at, at), newText: inner.trim() === '' ? `${keyword} ${value}` : `${keyword} ${value}, ` };
  }
  const at = last.range.endOffset;
  const first = config.args[0];
  const multiline = config.args.length > 1 && index.position(first.range.startOffset).line !== index.position(last.range.startOffset).line;
  if (multiline) {
    // One argument per line: continue the pattern with the last argument's indentation.
    const lineStart = text.lastIndexOf('\n', last.range.startOffset - 1) + 1;
    const indent = text.slice(lineStart, last.range.startOffset).match(/^[ \t]*/)![0];
    // The file's own line ending: a CRLF file gets CRLF, never a bare LF.
    return { range: index.range(at, at), newText: `,${lineEnding(text)}${indent}${keyword} ${value}` };
  }
  return { range: index.range(at, at), newText: `, ${keyword} ${value}` };
}
