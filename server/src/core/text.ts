// Positions and ranges shared by every stage. Ranges are offsets into the JavaScript string of the
// whole document (UTF-16 code units), so a range stays valid for its text whatever happens to other
// versions. Lines and characters (0-based, UTF-16, as LSP counts) are derived only where they are
// shown: the LSP adapter and the CLI convert with a LineIndex of the same text.

export interface Position {
  line: number;
  character: number;
}

export interface SourceRange {
  /** Offset of the first character in the document string. */
  startOffset: number;
  /** Offset just past the last character in the document string. */
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
  constructor(
    readonly text: string,
    starts?: number[],
  ) {
    if (starts) {
      this.starts = starts;
      return;
    }
    this.starts = [text.charCodeAt(0) === 0xfeff ? 1 : 0];
    // indexOf scans natively, several times faster than a loop over charCodeAt on a large file.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /**
   * The index of `text`, which is this index's text with [start, oldEnd) replaced by what is now
   * [start, newEnd): only the replaced part is scanned again.
   */
  edited(text: string, start: number, oldEnd: number, newEnd: number): LineIndex {
    if (start === 0) return new LineIndex(text); // the byte-order mark may have changed
    const old = this.starts;
    const starts: number[] = [];
    let i = 0;
    // A line start k follows the line break at k - 1: kept when that break is before the edit.
    while (i < old.length && old[i] <= start) starts.push(old[i++]);
    for (let nl = text.indexOf('\n', start); nl >= 0 && nl < newEnd; nl = text.indexOf('\n', nl + 1)) starts.push(nl + 1);
    while (i < old.length && old[i] <= oldEnd) i++;
    const delta = newEnd - oldEnd;
    while (i < old.length) starts.push(old[i++] + delta);
    return new LineIndex(text, starts);
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
    return { startOffset, endOffset };
  }

  /** The line and character of both ends of a range, for display (LSP, CLI messages). */
  positions(range: SourceRange): { start: Position; end: Position } {
    return { start: this.position(range.startOffset), end: this.position(range.endOffset) };
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

/** Whether the UTF-16 code `c` may be part of a C/C++ identifier (`[A-Za-z0-9_]`). */
export function isIdentifierChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
