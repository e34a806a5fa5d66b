// Completion in .click files: element class names from the index (and the file's own
// elementclasses) where a class is expected, inside a configuration the keyword arguments the
// class's configure() reads (the parameter index), documented from its `=item` docs; classes the
// parameter index cannot read fall back to the `=item` docs alone.
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type CompletionParams } from 'vscode-languageserver/node';
import type { ConfigModel } from '../core/click/model';
import { podToMarkdown } from '../core/cpp/docs';
import { parameterSummary } from '../core/params/describe';
import { lineIndexOf } from '../core/click/modelLines';
import { clickDocuments, isClickDocument } from './clickDocuments';
import { guard, type ServerContext } from './context';
import { getElementIndexService } from './elementIndexService';
import type { Feature } from './features';

export function completionFeature(ctx: ServerContext): Feature {
  const docs = clickDocuments(ctx);
  const index = getElementIndexService(ctx);
  ctx.connection.onCompletion(
    guard(ctx, 'completion', [] as CompletionItem[], async (params: CompletionParams) => {
      const uri = params.textDocument.uri;
      if (!isClickDocument(uri, ctx.documents.get(uri)?.languageId)) return [];
      const model = await docs.ensure(uri);
      if (!model) return [];
      const offset = lineIndexOf(model).offset(params.position);
      const inConfig = model.elements.find((el) => el.config && offset >= el.config.range.startOffset && offset <= el.config.range.endOffset);
      if (inConfig) return keywordItems(inConfig.className, inConfig.config!.args.map((a) => a.keyword).filter(Boolean) as string[], index);
      return classItems(model, index);
    }),
  );
  return { capabilities: () => ({ completionProvider: { triggerCharacters: [':', '(', ','], resolveProvider: false } }) };
}

function keywordItems(className: string, used: string[], index: ReturnType<typeof getElementIndexService>): CompletionItem[] {
  const list = index.parameters(className);
  if (list?.parameters.length) {
    return list.parameters
      .filter((p) => p.repeatable || !used.includes(p.name))
      .map((p, i) => ({
        label: p.name,
        kind: CompletionItemKind.Property,
        detail: `${className} keyword · ${parameterSummary(p)}`,
        documentation: p.doc ? { kind: MarkupKind.Markdown, value: podToMarkdown(p.doc) } : undefined,
        insertText: `${p.name} $0`,
        insertTextFormat: InsertTextFormat.Snippet,
        sortText: String(i).padStart(4, '0'),
      }));
  }
  const doc = index.element(className)?.info.doc;
  if (!doc) return [];
  return doc.items
    .filter((item) => /^[A-Z][A-Z0-9_]*$/.test(item.keyword) && !used.includes(item.keyword))
    .map((item, i) => ({
      label: item.keyword,
      kind: CompletionItemKind.Property,
      detail: `${className} keyword`,
      documentation: { kind: MarkupKind.Markdown, value: item.text },
      insertText: `${item.keyword} $0`,
      insertTextFormat: InsertTextFormat.Snippet,
      sortText: String(i).padStart(4, '0'),
    }));
}

function classItems(model: ConfigModel, index: ReturnType<typeof getElementIndexService>): CompletionItem[] {
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const c of model.elementClasses) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    items.push({ label: c.name, kind: CompletionItemKind.Class, detail: 'elementclass in this file' });
  }
  for (const t of index.elements()) {
    const name = t.info.clickName;
    if (seen.has(name)) continue;
    seen.add(name);
    const f = t.features;
    items.push({
      label: name,
      kind: CompletionItemKind.Class,
      detail: f.stateful ? `stateful · key ${f.flowKey.join(' ') || 'unknown'}` : 'stateless',
      documentation: t.info.doc
        ? { kind: MarkupKind.Markdown, value: [t.info.doc.synopsis && `\`${t.info.doc.synopsis}\``, t.info.doc.summary].filter(Boolean).join('\n\n') }
        : undefined,
    });
  }
  for (const el of model.elements) {
    if (el.anonymous || seen.has(el.name)) continue;
    seen.add(el.name);
    items.push({ label: el.name, kind: CompletionItemKind.Variable, detail: `${el.className} element` });
  }
  return items;
}
