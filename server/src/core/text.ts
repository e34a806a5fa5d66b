// Positions and ranges shared by every stage. Lines and characters are 0-based and count UTF-16
// code units, as LSP does; offsets index the JavaScript string of the whole document.

export interface Position {
  line: number;
  character: number;
}

export interface SourceRange {
  start: Position;
  end: Position;
  /** Offset of `start` in the document string. */
  startOffset: number;
  /** Offset just past `end` in the document string. */
  endOffset: number;
}

/** A plain text edit: replace [startOffset, endOffset) of the document with newText. */
export interface TextEdit {
  range: SourceRange;
  newText: string;
}

/**
 * Maps offsets to positions for one text, in O(log lines). A byte-order mark (U+FEFF at offset 0,
 * kept so a rewrite writes it back) takes no column: line 1 starts after it, as editors count.
 */
export class LineIndex {
  private readonly starts: number[];
  constructor(readonly text: string) {
    this.starts = [text.charCodeAt(0) === 0xfeff ? 1 : 0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: Math.max(0, o - this.starts[lo]) };
  }

  offset(pos: Position): number {
    if (pos.line >= this.starts.length) return this.text.length;
    const lineStart = this.starts[Math.max(0, pos.line)];
    const lineEnd = pos.line + 1 < this.starts.length ? this.starts[pos.line + 1] - 1 : this.text.length;
    return Math.min(lineStart + Math.max(0, pos.character), lineEnd);
  }

  range(startOffset: number, endOffset: number): SourceRange {
    return { start: this.position(startOffset), end: this.position(endOffset), startOffset, endOffset };
  }

  get lineCount(): number {
    return this.starts.length;
  }
}

/** Applies non-overlapping edits to a text (in any order). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.range.startOffset - a.range.startOffset || b.range.endOffset - a.range.endOffset);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.range.startOffset) + e.newText + out.slice(e.range.endOffset);
  return out;
}

/**
 * Makes text from a file safe to print on a terminal: C0 control characters (except tab, newline
 * and the CR of a CRLF), DEL and C1 become `\u001b`-style escapes, so a file cannot move the
 * cursor, recolour or retitle the user's terminal. The escapes are also valid inside JSON strings.
 */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c, at: number) =>
    c === '\r' && text.charCodeAt(at + 1) === 10 ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
