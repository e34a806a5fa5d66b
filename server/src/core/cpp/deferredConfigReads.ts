// Configuration reads extracted when first read. Keyword lists are resolved on demand
// (parameters.ts): a cold index resolves a few dozen of its hundreds of elements, the classes of
// the open configurations and their families. Extracting every configure()'s reads as its file was
// parsed cost a few percent of a cold index, and kept those bodies in the first parse. So the index
// marks a function that receives the configuration `deferredConfig`, and the first read of its
// `config` parses its body again alone (readBodyAlone in deferredBodies.ts, as deferred bodies
// are). Its body is then blanked for the file's first parse like any deferred
// one (blankedBodies.ts); the pack keeps only the mark.
import { blankDirectiveLines, extractConfigReads, type ConfigReads } from './configReads';
import { readBodyAlone, type BodyParser } from './deferredBodies';
import { blankClickMacros } from './macros';
import type { CppFileModel, CppFunction } from './model';

/** Marks `fn`'s configuration reads deferred: extracted from `text` (the file's) on first read. */
export function deferConfigReads(fn: CppFunction, text: string, parser: BodyParser): void {
  fn.deferredConfig = true;
  // Not enumerable: copying or encoding the function never extracts them.
  Object.defineProperty(fn, 'config', {
    configurable: true,
    enumerable: false,
    get(): ConfigReads {
      const config = configReadsAlone(parser, text, fn);
      Object.defineProperty(fn, 'config', { value: config, writable: true, configurable: true, enumerable: false });
      return config;
    },
  });
}

/** Gives every deferred `config` of a model (decoded from JSON, where only the mark is) its extraction. */
export function deferModelConfigReads(model: CppFileModel, parser: BodyParser): void {
  const defer = (fn: CppFunction) => {
    if (fn.deferredConfig && !Object.prototype.hasOwnProperty.call(fn, 'config')) deferConfigReads(fn, model.text, parser);
  };
  model.functions.forEach(defer);
  for (const c of model.classes) c.methods.forEach(defer);
}

/**
 * `fn`'s configuration reads, its body parsed alone with its preprocessor lines blanked (as when the
 * reads are extracted with the file). What cannot be extracted is one `unknown` event.
 */
export function configReadsAlone(parser: BodyParser, text: string, fn: CppFunction): ConfigReads {
  const start = fn.bodyStart ?? 0;
  try {
    const body = blankDirectiveLines(blankClickMacros(text.slice(start, fn.bodyEnd)).text);
    return readBodyAlone(parser, body, start, (bodyNode, alone, delta) => {
      const reads = extractConfigReads(alone, bodyNode, fn.params);
      for (const e of reads.events) e.start += delta;
      return reads;
    });
  } catch (err) {
    return { events: [{ kind: 'unknown', reason: `the configuration reads could not be extracted (${err instanceof Error ? err.message : String(err)})`, start }] };
  }
}
