// Evidence with lines and columns from offsets, one LineIndex per file text (kept by the index).
import type { ElementIndex } from '../cpp/elementIndex';
import type { LineIndex } from '../text';
import type { Site } from './dataflow';
import type { Evidence } from './features';

/** Turns offsets into evidence with lines; the index keeps one LineIndex per file text. */
export class EvidenceContext {
  constructor(private readonly index: ElementIndex) {}

  lineIndex(file: string): LineIndex {
    return this.index.lineIndex(file);
  }

  position(file: string, offset: number) {
    return this.lineIndex(file).position(offset);
  }

  span(feature: Evidence['feature'], file: string, start: number, end: number, reason: string): Evidence {
    const li = this.lineIndex(file);
    const s = li.position(start);
    const e = li.position(end);
    return { feature, file, line: s.line, column: s.character, endLine: e.line, endColumn: e.character, reason };
  }

  site(feature: Evidence['feature'], site: Site, reason: string): Evidence {
    return this.span(feature, site.file, site.start, site.end, reason);
  }

  at(feature: Evidence['feature'], v: { file: string; start: number; end: number }, reason: string): Evidence {
    return this.span(feature, v.file, v.start, v.end, reason);
  }

  snippet(site: Site): string {
    const text = (this.index.text(site.file) ?? '').slice(site.start, site.end).replace(/\s+/g, ' ').trim();
    return text.length > 60 ? text.slice(0, 57) + '...' : text;
  }
}
