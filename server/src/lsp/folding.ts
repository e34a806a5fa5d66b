// Folding for .click documents: element classes and compounds, groups, configuration strings that
// span several lines, and block comments.
import { FoldingRangeKind, type FoldingRange, type FoldingRangeParams } from 'vscode-languageserver/node';
import type { Feature } from './features';
import { guard, type ServerContext } from './context';
import { clickDocuments } from './clickDocuments';

export function foldingFeature(ctx: ServerContext): Feature {
  const docs = clickDocuments(ctx);
  ctx.connection.onFoldingRanges(
    guard(ctx, 'foldingRanges', null, async (params: FoldingRangeParams): Promise<FoldingRange[] | null> => {
      const model = await docs.ensure(params.textDocument.uri);
      if (!model) return null;
      const seen = new Set<string>();
      const out: FoldingRange[] = [];
      for (const f of model.foldingRanges) {
        // Fold up to the line before the closing bracket so it stays visible; comments fold whole.
        const endLine = f.kind === 'comment' ? f.range.end.line : f.range.end.line - 1;
        if (endLine <= f.range.start.line) continue;
        const key = `${f.range.start.line}:${endLine}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ startLine: f.range.start.line, endLine, kind: f.kind === 'comment' ? FoldingRangeKind.Comment : FoldingRangeKind.Region });
      }
      return out;
    }),
  );
  return { capabilities: () => ({ foldingRangeProvider: { documentSelector: [{ language: 'click' }] } }) };
}
