// Which keyword argument a position in a .click document is on (for hovers).
import type { ClickElement, ConfigModel } from '../click/model';
import { LineIndex, type SourceRange } from '../text';
import { viewArgument } from './clickArguments';

export function keywordAt(model: ConfigModel, offset: number): { element: ClickElement; keyword: string; range: SourceRange } | undefined {
  for (const el of model.elements) {
    const cfg = el.config;
    if (!cfg || offset < cfg.range.startOffset || offset > cfg.range.endOffset) continue;
    for (const arg of cfg.args) {
      const v = viewArgument(arg);
      if (!v.keyword) continue;
      const start = arg.range.startOffset;
      if (offset >= start && offset <= start + v.keyword.length)
        return { element: el, keyword: v.keyword, range: arg.keywordRange ?? new LineIndex(model.text).range(start, start + v.keyword.length) };
    }
  }
  return undefined;
}
