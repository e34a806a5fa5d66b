// The one place where the core's offsets become LSP lines and characters (UTF-16, as both count),
// with the line index of the text the offsets belong to (lineIndexOf(model) for a .click model).
import type { Range } from 'vscode-languageserver/node';
import type { LineIndex, SourceRange } from '../core/text';

export function toLspRange(lines: LineIndex, r: SourceRange): Range {
  return { start: lines.position(r.startOffset), end: lines.position(r.endOffset) };
}
