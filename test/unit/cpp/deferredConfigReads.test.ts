// Configuration reads extracted on first read (core/cpp/deferredConfigReads.ts): on every element
// file of upstream FastClick they equal the reads extracted with the file; the pack keeps only the
// mark, and a model read back from JSON extracts them the same; a body that cannot be parsed
// alone reads as one `unknown` event.
import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configReadsAlone, deferModelConfigReads } from '../../../server/src/core/cpp/deferredConfigReads';
import { extractCppFile } from '../../../server/src/core/cpp/extract';
import type { CppFileModel } from '../../../server/src/core/cpp/model';
import { decodeModel, encodeModel } from '../../../server/src/core/cpp/modelCodec';
import { createParser, type RecoveringParser } from '../../../server/src/core/treeSitter';
import { cppFiles, functionsOf } from '../../support/cppModels';
import { fastclickSourceDir } from '../../support/fastclickSource';

const SOURCE = `class Shaper : public BatchElement { public:
  int configure(Vector<String> &conf, ErrorHandler *errh) {
    int burst = 32;
    if (Args(conf, this, errh)
        .read_mp("RATE", _rate)
#if HAVE_BATCH
        .read("BURST", burst)
#endif
        .complete() < 0)
      return -1;
    return parse(conf, errh);
  }
  int parse(Vector<String> &conf, ErrorHandler *errh);
  unsigned _rate;
};
int Shaper::parse(Vector<String> &conf, ErrorHandler *errh) {
  return Args(conf, this, errh).read("VERBOSE", _verbose).consume();
}
`;

describe('configuration reads extracted on first read', function () {
  this.timeout(180_000);
  let parser: RecoveringParser;
  before(async () => {
    parser = await createParser('cpp');
  });

  const configured = (m: CppFileModel) => functionsOf(m).filter((f) => f.deferredConfig);

  it('equal the reads extracted with the file (conditional lines and all), offsets included', () => {
    const deferred = extractCppFile(parser, '/x/shaper.cc', SOURCE, { deferBodies: true });
    const eager = extractCppFile(parser, '/x/shaper.cc', SOURCE);
    const fns = configured(deferred);
    assert.deepStrictEqual(
      fns.map((f) => f.name),
      ['parse', 'configure'],
    );
    const byName = new Map(functionsOf(eager).map((f) => [f.name, f]));
    for (const fn of fns) assert.deepStrictEqual(fn.config, byName.get(fn.name)!.config, fn.name);
    const configure = fns.find((f) => f.name === 'configure')!;
    // Offsets in the file: each read points at its keyword's string.
    const reads = configure.config!.events.filter((e) => e.kind === 'read');
    assert.deepStrictEqual(
      reads.map((e) => e.kind === 'read' && SOURCE.slice(e.start, e.start + e.keyword.length + 2)),
      ['"RATE"', '"BURST"'],
    );
  });

  it('are not in the JSON: a model read back extracts them the same', () => {
    const deferred = extractCppFile(parser, '/x/shaper.cc', SOURCE, { deferBodies: true });
    const json = encodeModel(deferred);
    assert.ok(!json.includes('"config"'), 'only the mark is stored');
    assert.ok(configured(deferred).every((f) => !Object.getOwnPropertyDescriptor(f, 'config')?.enumerable));
    const decoded = { ...decodeModel(json, '/x/shaper.cc'), text: SOURCE } as CppFileModel;
    deferModelConfigReads(decoded, parser);
    const eager = new Map(functionsOf(extractCppFile(parser, '/x/shaper.cc', SOURCE)).map((f) => [f.name, f]));
    for (const fn of configured(decoded)) assert.deepStrictEqual(fn.config, eager.get(fn.name)!.config, fn.name);
  });

  it('read as one unknown event when the body cannot be parsed alone', () => {
    const fn = configured(extractCppFile(parser, '/x/shaper.cc', SOURCE, { deferBodies: true }))[0];
    const broken = { parse: () => null };
    const reads = configReadsAlone(broken, SOURCE, fn);
    assert.strictEqual(reads.events.length, 1);
    assert.match(reads.events[0].kind === 'unknown' ? reads.events[0].reason : '', /could not be extracted \(the parser gave no tree\)/);
  });

  it('equal the reads extracted with the file on every element file of upstream FastClick', () => {
    const files = cppFiles(join(fastclickSourceDir(), 'elements'));
    let compared = 0;
    const differ: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const deferred = extractCppFile(parser, file, text, { deferBodies: true });
      const fns = configured(deferred);
      if (!fns.length) continue;
      const eager = extractCppFile(parser, file, text);
      const eagerFns = functionsOf(eager).filter((f) => f.config);
      for (const fn of fns) {
        const same = eagerFns.find((f) => f.name === fn.name && f.bodyStart === fn.bodyStart);
        if (!same) continue; // the whole parse did not see this function (an error elsewhere in the file)
        compared++;
        try {
          assert.deepStrictEqual(fn.config, same.config);
        } catch {
          differ.push(`${file.replace(/.*fastclick\//, '')}: ${fn.owner ?? ''}::${fn.name}`);
        }
      }
    }
    assert.ok(compared > 500, `${compared} functions compared`);
    assert.deepStrictEqual(differ, []);
  });
});
