// A C++ file model as JSON and back: what the persistent index stores (core/index/indexCache.ts)
// and what a parse worker sends (parsePool.ts). ASCII only, so byte and character offsets agree in
// the pack; function bodies stay JSON text until first read.
import { dict } from '../dict';
import type { CppFileModel, CppFunction } from './model';

/** A model without its text (the text is the file's, read when needed). */
export type StoredModel = Omit<CppFileModel, 'text'>;

export function encodeModel(model: CppFileModel | StoredModel): string {
  const { text: _text, ...rest } = model as CppFileModel;
  return asciiJson(JSON.stringify(rest, bodiesAsText));
}

/** The model of `path` from its JSON; throws when the JSON is not a model of that file. */
export function decodeModel(json: string, path: string): StoredModel {
  const m = JSON.parse(json, reviveDicts) as StoredModel;
  if (m.path !== path || !Array.isArray(m.classes) || !Array.isArray(m.functions)) throw new Error('not a model of this file');
  for (const fn of m.functions) lazyBody(fn);
  for (const c of m.classes) for (const fn of [...c.methods, ...c.methodDecls]) lazyBody(fn);
  return m;
}

/** JSON with every non-ASCII character escaped, so byte and character offsets agree. */
export function asciiJson(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Function bodies are three quarters of a model and the analysis reads few of them: they are kept
 * as JSON text inside the model's JSON and parsed when first read.
 */
function bodiesAsText(key: string, value: unknown): unknown {
  return key === 'body' && value && typeof value === 'object' ? JSON.stringify(value) : value;
}

function lazyBody(fn: CppFunction): void {
  const text = (fn as { body?: unknown }).body;
  if (typeof text !== 'string') return;
  Object.defineProperty(fn, 'body', {
    configurable: true,
    enumerable: true,
    get() {
      const body = JSON.parse(text) as CppFunction['body'];
      Object.defineProperty(fn, 'body', { value: body, writable: true, enumerable: true, configurable: true });
      return body;
    },
  });
}

/** The model's name tables are prototype-less (core/dict.ts); JSON gives plain objects back. */
function reviveDicts(key: string, value: unknown): unknown {
  if ((key === 'typedefs' || key === 'defines' || key === 'initializers') && value && typeof value === 'object' && !Array.isArray(value)) return dict(value as Record<string, string>);
  return value;
}
