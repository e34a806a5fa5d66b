// A C++ file model as JSON and back: what the persistent index stores (core/index/indexCache.ts)
// and what a parse worker sends (parsePool.ts). ASCII only, so byte and character offsets agree in
// the pack; function bodies stay JSON text until first read, and deferred ones (deferredBodies.ts)
// are not in it: the reader of the model gives them their conversion (deferBodies).
import { dict } from '../dict';
import type { CppFileModel, CppFunction } from './model';

/** A model without its text (the text is the file's, read when needed). */
export type StoredModel = Omit<CppFileModel, 'text'>;

// Neither a replacer nor a reviver: JSON calls one for every value of a model, which made encoding
// and decoding cost as much as a parse (a parse worker's models are encoded there and decoded here).
export function encodeModel(model: CppFileModel | StoredModel): string {
  const { text: _text, ...rest } = model as CppFileModel;
  const stored = {
    ...rest,
    functions: rest.functions.map(bodyAsText),
    classes: rest.classes.map((c) => ({ ...c, methods: c.methods.map(bodyAsText), methodDecls: c.methodDecls.map(bodyAsText) })),
  };
  return asciiJson(JSON.stringify(stored));
}

/** The model of `path` from its JSON; throws when the JSON is not a model of that file. */
export function decodeModel(json: string, path: string): StoredModel {
  const m = JSON.parse(json) as StoredModel;
  if (m.path !== path || !Array.isArray(m.classes) || !Array.isArray(m.functions)) throw new Error('not a model of this file');
  // The name tables are prototype-less (core/dict.ts); JSON gives plain objects back.
  m.defines = dict(m.defines);
  m.typedefs = dict(m.typedefs);
  const revive = (fn: CppFunction) => {
    if (fn.initializers) fn.initializers = dict(fn.initializers);
    lazyBody(fn);
  };
  m.functions.forEach(revive);
  for (const c of m.classes) {
    c.typedefs = dict(c.typedefs);
    c.methods.forEach(revive);
    c.methodDecls.forEach(revive);
  }
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
function bodyAsText(fn: CppFunction): CppFunction {
  // A deferred body is not enumerable: encoding the function leaves it out, converted or not.
  if (fn.deferredBody) return fn;
  return fn.body && typeof fn.body === 'object' ? ({ ...fn, body: JSON.stringify(fn.body) } as unknown as CppFunction) : fn;
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
