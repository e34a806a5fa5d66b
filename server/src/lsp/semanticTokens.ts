// Semantic tokens for .click documents: what a regex cannot know. The token types map to the same
// TextMate scopes syntaxes/click.tmLanguage.json uses (class -> entity.name.type.class, variable ->
// variable.other.readwrite, readonly variable -> variable.other.constant, parameter ->
// variable.parameter), so the colours agree with and only refine the TextMate ones.
import { SemanticTokensBuilder, type SemanticTokens, type SemanticTokensParams } from 'vscode-languageserver/node';
import type { Feature } from './features';
import { guard, type ServerContext } from './context';
import { clickDocuments } from './clickDocuments';
import { lineIndexOf } from '../core/click/modelLines';
import { semanticTokens, type SemanticTokenModifier, type SemanticTokenType } from '../core/click/queries';

export const TOKEN_TYPES: SemanticTokenType[] = ['class', 'variable', 'parameter'];
export const TOKEN_MODIFIERS: SemanticTokenModifier[] = ['declaration', 'readonly'];

export function semanticTokensFeature(ctx: ServerContext): Feature {
  const docs = clickDocuments(ctx);
  ctx.connection.languages.semanticTokens.on(
    guard(ctx, 'semanticTokens', { data: [] }, async (params: SemanticTokensParams): Promise<SemanticTokens> => {
      const model = await docs.ensure(params.textDocument.uri);
      if (!model) return { data: [] };
      const builder = new SemanticTokensBuilder();
      const lines = lineIndexOf(model);
      for (const t of semanticTokens(model)) {
        let mods = 0;
        for (const m of t.modifiers) mods |= 1 << TOKEN_MODIFIERS.indexOf(m);
        const at = lines.position(t.offset);
        builder.push(at.line, at.character, t.length, TOKEN_TYPES.indexOf(t.type), mods);
      }
      return builder.build();
    }),
  );
  return {
    capabilities: () => ({
      // Only .click documents: the client also syncs C++ files, whose colours are not ours to change.
      semanticTokensProvider: {
        documentSelector: [{ language: 'click' }],
        legend: { tokenTypes: TOKEN_TYPES, tokenModifiers: TOKEN_MODIFIERS },
        full: true,
        range: false,
      },
    }),
  };
}
