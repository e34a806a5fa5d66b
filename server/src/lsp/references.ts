// Find references of an element or element-class name in a .click document.
import type { Location, ReferenceParams } from 'vscode-languageserver/node';
import type { Feature } from './features';
import { guard, type ServerContext } from './context';
import { clickDocuments } from './clickDocuments';
import { toLspRange } from './lspPositions';
import { lineIndexOf } from '../core/click/modelLines';
import { referenceAt, referencesOf } from '../core/click/queries';

export function referencesFeature(ctx: ServerContext): Feature {
  const docs = clickDocuments(ctx);
  ctx.connection.onReferences(
    guard(ctx, 'references', null, async (params: ReferenceParams): Promise<Location[] | null> => {
      const uri = params.textDocument.uri;
      const model = await docs.ensure(uri);
      if (!model) return null;
      const lines = lineIndexOf(model);
      const ref = referenceAt(model, lines.offset(params.position));
      if (!ref) return [];
      return referencesOf(model, ref, params.context.includeDeclaration).map((r) => ({ uri, range: toLspRange(lines, r.range) }));
    }),
  );
  return { capabilities: () => ({ referencesProvider: true }) };
}
