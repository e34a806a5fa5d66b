// Which element a position in a .click document is about: its declaration (name or class) or a
// use of its name in a connection.
import type { ClickElement, ConfigModel } from '../core/click/model';
import type { SourceRange } from '../core/text';

const within = (r: SourceRange | undefined, offset: number) => !!r && offset >= r.startOffset && offset <= r.endOffset;

export function elementAt(model: ConfigModel, offset: number): { element: ClickElement; range: SourceRange } | undefined {
  for (const el of model.elements) {
    if (within(el.nameRange, offset)) return { element: el, range: el.nameRange! };
    if (within(el.classRange, offset)) return { element: el, range: el.classRange };
  }
  for (const ref of model.references) {
    if (ref.kind === 'element' && ref.target !== undefined && within(ref.range, offset)) {
      const element = model.elements[ref.target];
      if (element) return { element, range: ref.range };
    }
  }
  return undefined;
}
