// Every configuration in upstream FastClick's conf/ that parses is optimized with FastClick's own
// elements as the index; the rewrite must re-parse without errors and a second rewrite must change
// nothing. Files are read, never copied. The tree is FASTCLICK_DIR when set, else the archive
// extracted into .cache/ (see test/support/fastclickSource.ts).
import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { analyzeConfig } from '../../../server/src/core/chains/analyzeConfig';
import { elementInfo } from '../../../server/src/core/chains/elementLookup';
import { analyzeOptions } from '../../../server/src/core/chains/options';
import { parseClick } from '../../../server/src/core/click/clickDocument';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { defaultSettings } from '../../../server/src/core/settings';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { applyEdits } from '../../../server/src/core/text';
import { clickFiles } from '../clickHelpers';
import { fastclickSourceDir } from '../../support/fastclickSource';

describe('Optimize chain on FastClick conf/ (upstream source)', function () {
  let dir: string;
  before(function () {
    this.timeout(120_000);
    dir = fastclickSourceDir();
  });

  it('rewrites every parseable configuration to one that parses, idempotently', async function () {
    this.timeout(600_000);
    const index = await ElementIndex.create();
    await index.build([join(dir, 'elements'), join(dir, 'include')]);
    const tracker = new FeatureTracker(index, FeatureStore.memory(dir));
    await tracker.analyzeAll();
    const options = analyzeOptions(defaultSettings(), (n) => elementInfo(tracker, n));
    const failures: string[] = [];
    let optimized = 0;
    let chains = 0;
    let edits = 0;
    const files = clickFiles(join(dir, 'conf'));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const model = await parseClick(text);
      if (model.problems.some((p) => p.severity === 'error')) continue;
      const analysis = await analyzeConfig(model, options);
      chains += analysis.chains.length;
      if (!analysis.edits.length) continue;
      optimized++;
      edits += analysis.edits.length;
      const out = applyEdits(text, analysis.edits);
      const again = await parseClick(out);
      const errors = again.problems.filter((p) => p.severity === 'error');
      if (errors.length) failures.push(`${relative(dir, file)}: ${errors[0].message}`);
      else if ((await analyzeConfig(again, options)).edits.length) failures.push(`${relative(dir, file)}: a second rewrite still edits`);
    }
    console.log(`      ${files.length} configurations, ${chains} chains, ${optimized} rewritten with ${edits} edits`);
    assert.deepStrictEqual(failures, []);
  });
});
