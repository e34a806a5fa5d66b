// Go to definition on an element or element-class name in a .click document: its declaration.
import type { DefinitionParams, Location } from 'vscode-languageserver/node';
import type { Feature } from './features';
import { guard, type ServerContext } from './context';
import { clickDocuments } from './clickDocuments';
import { toLspRange } from './lspPositions';
import { lineIndexOf } from '../core/click/modelLines';
import { definitionOf, referenceAt } from '../core/click/queries';

export function definitionFeature(ctx: ServerContext): Feature {
  const docs = clickDocuments(ctx);
  ctx.connection.onDefinition(
    guard(ctx, 'definition', null, async (params: DefinitionParams): Promise<Location | null> => {
      const uri = params.textDocument.uri;
      const model = await docs.ensure(uri);
      if (!model) return null;
      const lines = lineIndexOf(model);
      const ref = referenceAt(model, lines.offset(params.position));
      const target = ref && definitionOf(model, ref);
      return target ? { uri, range: toLspRange(lines, target) } : null;
    }),
  );
  return { capabilities: () => ({ definitionProvider: true }) };
}
