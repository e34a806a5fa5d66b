// Hover on an element's class name in C++ (its declaration, `Class::method` qualifiers, or the
// Click name in class_name()): the element's features with the evidence as links.
import { fileURLToPath } from 'node:url';
import type { Hover, HoverParams } from 'vscode-languageserver/node';
import { LineIndex } from '../core/text';
import type { ServerContext } from './context';
import { getElementIndexService } from './elementIndexService';
import type { Feature } from './features';
import { featuresMarkdown, threadingMarkdown } from './featuresMarkdown';
import { isCppDocument, registerHoverProvider } from './providers';

export function cppHoverFeature(ctx: ServerContext): Feature {
  registerHoverProvider(ctx, isCppDocument, (params) => cppHover(ctx, params));
  return { capabilities: () => ({ hoverProvider: true }) };
}

function cppHover(ctx: ServerContext, params: HoverParams): Hover | null {
  const service = getElementIndexService(ctx);
  const path = fileURLToPath(params.textDocument.uri);
  const text = ctx.documents.get(params.textDocument.uri)?.getText() ?? service.tracker?.index.text(path);
  if (text === undefined) return null;
  const lines = new LineIndex(text);
  const word = wordAt(text, lines.offset(params.position));
  if (!word) return null;
  const candidates = service.elements().filter((t) => t.info.className === word.text || t.info.clickName === word.text);
  const element = candidates.find((t) => t.info.headerFile === path || t.info.sourceFiles.includes(path)) ?? candidates[0];
  if (!element) return null;
  const merged = service.features(element.info.clickName);
  return {
    contents: {
      kind: 'markdown',
      value: [
        featuresMarkdown(element.info.clickName, element.features, merged?.sources.length && merged.sources.length > 1 ? merged : undefined),
        threadingMarkdown(element.threading),
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
    range: { start: lines.position(word.start), end: lines.position(word.end) },
  };
}

function wordAt(text: string, offset: number): { text: string; start: number; end: number } | undefined {
  const isWord = (c: string | undefined) => !!c && /[A-Za-z0-9_]/.test(c);
  let s = offset;
  let e = offset;
  while (s > 0 && isWord(text[s - 1])) s--;
  while (e < text.length && isWord(text[e])) e++;
  return e > s && /^[A-Za-z_]/.test(text[s]) ? { text: text.slice(s, e), start: s, end: e } : undefined;
}
