// Folding for .click documents: element classes and compounds, groups, configuration strings that
// span several lines, and block comments.
import { FoldingRangeKind, type FoldingRange, type FoldingRangeParams } from 'vscode-languageserver/node';
import type { Feature } from './features';
import { guard, type ServerContext } from './context';
import { clickDocuments } from './clickDocuments';
import { lineIndexOf } from '../core/click/modelLines';

export function foldingFeature(ctx: ServerContext): Feature {
  const docs = clickDocuments(ctx);
  ctx.connection.onFoldingRanges(
    guard(ctx, 'foldingRanges', null, async (params: FoldingRangeParams): Promise<FoldingRange[] | null> => {
      const model = await docs.ensure(params.textDocument.uri);
      if (!model) return null;
      const seen = new Set<string>();
      const out: FoldingRange[] = [];
      const lines = lineIndexOf(model);
      for (const f of model.foldingRanges) {
        const startLine = lines.position(f.range.startOffset).line;
        const lastLine = lines.position(f.range.endOffset).line;
        // Fold up to the line before the closing bracket so it stays visible; comments fold whole.
        const endLine = f.kind === 'comment' ? lastLine : lastLine - 1;
        if (endLine <= startLine) continue;
        const key = `${startLine}:${endLine}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ startLine, endLine, kind: f.kind === 'comment' ? FoldingRangeKind.Comment : FoldingRangeKind.Region });
      }
      return out;
    }),
  );
  return { capabilities: () => ({ foldingRangeProvider: { documentSelector: [{ language: 'click' }] } }) };
}
