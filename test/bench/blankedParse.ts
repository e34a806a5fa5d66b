// Bench: the first parse of upstream FastClick's element files with the bodies to defer blanked
// (core/cpp/blankedBodies.ts) against the whole text, and the extraction around it. Both run in
// this one process, alternating, after a warm-up round: on a shared machine a paired comparison
// says more than two separate runs. No target; the start-up bench has the issue's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blankedInput, deferrableBodies, includedRanges } from '../../server/src/core/cpp/blankedBodies';
import { extractCppFile } from '../../server/src/core/cpp/extract';
import { blankClickMacros } from '../../server/src/core/cpp/macros';
import { createParser } from '../../server/src/core/treeSitter';
import type { BenchResult } from './benchResult';
import { cppFiles } from '../support/cppModels';
import { fastclickSourceDir } from '../support/fastclickSource';

export const name = 'C++ first parse with deferred bodies blanked (upstream FastClick elements/)';

const ROUNDS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function bench(): Promise<BenchResult[]> {
  const parser = await createParser('cpp');
  const files = cppFiles(join(fastclickSourceDir(), 'elements'));
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const macroBlanked = texts.map((t) => blankClickMacros(t).text);
  const chars = texts.reduce((n, t) => n + t.length, 0);

  const time = (fn: () => void) => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
  let bodies: ReturnType<typeof deferrableBodies>[] = [];
  const scan = () => (bodies = macroBlanked.map((t) => deferrableBodies(t)));
  const parseWhole = () => macroBlanked.forEach((t) => parser.parse(t)?.delete());
  // As the extractor parses: the bodies' rest left out through included ranges.
  const parseBlanked = () => macroBlanked.forEach((t, i) => parser.parse(blankedInput(t, bodies[i]), null, { includedRanges: includedRanges(t, bodies[i]) })?.delete());
  let fellBack = 0;
  const extract = (blank: boolean) => () =>
    files.forEach((f, i) => extractCppFile(parser, f, texts[i], { deferBodies: true, blankBodies: blank, onBlankingMismatch: () => fellBack++ }));

  // Warm-up: the first round pays for the JIT and the parser's tier-up.
  scan();
  parseWhole();
  parseBlanked();
  const scans: number[] = [];
  const whole: number[] = [];
  const blanked: number[] = [];
  const extractWhole: number[] = [];
  const extractBlanked: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    scans.push(time(scan));
    // Alternating which goes first.
    if (r % 2) {
      whole.push(time(parseWhole));
      blanked.push(time(parseBlanked));
      extractWhole.push(time(extract(false)));
      fellBack = 0;
      extractBlanked.push(time(extract(true)));
    } else {
      blanked.push(time(parseBlanked));
      whole.push(time(parseWhole));
      fellBack = 0;
      extractBlanked.push(time(extract(true)));
      extractWhole.push(time(extract(false)));
    }
  }
  const blankedChars = bodies.reduce((n, list) => n + list.reduce((m, b) => m + b.close - b.open, 0), 0);
  const ms = (xs: number[]) => Math.round(median(xs));
  return [
    {
      name: 'parse, whole text',
      value: ms(whole),
      unit: 'ms',
      detail: `${files.length} files, ${(chars / 1e6).toFixed(1)} M characters; median of ${ROUNDS} rounds`,
    },
    {
      name: 'parse, deferred bodies blanked',
      value: ms(blanked),
      unit: 'ms',
      detail: `${Math.round((blankedChars / chars) * 100)}% of the characters blanked; ratio ${(median(blanked) / median(whole)).toFixed(2)}; the scan itself ${ms(scans)} ms`,
    },
    { name: 'extraction, whole text', value: ms(extractWhole), unit: 'ms', detail: 'extractCppFile with deferred bodies, not blanked' },
    {
      name: 'extraction, deferred bodies blanked',
      value: ms(extractBlanked),
      unit: 'ms',
      detail: `ratio ${(median(extractBlanked) / median(extractWhole)).toFixed(2)}; scan and checks included; ${fellBack} files parsed again whole`,
    },
  ];
}
