// Outline of a .click document: elements, element classes (with their contents) and defines.
import { SymbolKind, type DocumentSymbol, type DocumentSymbolParams } from 'vscode-languageserver/node';
import type { Feature } from './features';
import { guard, type ServerContext } from './context';
import { clickDocuments } from './clickDocuments';
import { toLspRange } from './lspPositions';
import { lineIndexOf } from '../core/click/modelLines';
import type { LineIndex } from '../core/text';
import { documentSymbols, type ClickSymbol, type ClickSymbolKind } from '../core/click/queries';

const KIND: Record<ClickSymbolKind, SymbolKind> = {
  element: SymbolKind.Object,
  class: SymbolKind.Class,
  define: SymbolKind.Constant,
  require: SymbolKind.Module,
};

function toDocumentSymbol(lines: LineIndex, s: ClickSymbol): DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: KIND[s.kind],
    range: toLspRange(lines, s.range),
    selectionRange: toLspRange(lines, s.selectionRange),
    children: s.children.map((c) => toDocumentSymbol(lines, c)),
  };
}

export function documentSymbolsFeature(ctx: ServerContext): Feature {
  const docs = clickDocuments(ctx);
  ctx.connection.onDocumentSymbol(
    guard(ctx, 'documentSymbol', null, async (params: DocumentSymbolParams) => {
      const model = await docs.ensure(params.textDocument.uri);
      return model ? documentSymbols(model).map((s) => toDocumentSymbol(lineIndexOf(model), s)) : null;
    }),
  );
  return { capabilities: () => ({ documentSymbolProvider: { label: 'FlowMage' } }) };
}
