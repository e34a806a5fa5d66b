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
import { analyzeOptions } from '../../../server/src/config/coreOptions';
import { parseClick } from '../../../server/src/core/click/clickDocument';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { defaultSettings, readSettings } from '../../../server/src/core/settings';
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
    // Rules files are kept in memory: the checkout is never written.
    const written = new Map<string, string>();
    const base = analyzeOptions(defaultSettings(), (n) => elementInfo(tracker, n));
    const options = (file: string) => ({ ...base, configPath: file, readFile: (p: string) => written.get(p) });
    const failures: string[] = [];
    let optimized = 0;
    let chains = 0;
    let edits = 0;
    let rulesFiles = 0;
    const errorFindings: string[] = [];
    const files = clickFiles(join(dir, 'conf'));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const model = await parseClick(text);
      if (model.problems.some((p) => p.severity === 'error')) continue;
      const analysis = await analyzeConfig(model, options(file));
      chains += analysis.chains.length;
      for (const f of analysis.findings) if (f.severity === 'error') errorFindings.push(`${relative(dir, file)}: ${f.code}: ${f.message.slice(0, 120)}`);
      if (!analysis.edits.length) continue;
      optimized++;
      edits += analysis.edits.length;
      for (const f of analysis.fileChanges) written.set(f.path, f.content);
      rulesFiles += analysis.fileChanges.length;
      const out = applyEdits(text, analysis.edits);
      // Upstream reads neither of the fork's keywords: the rewrite must not write them.
      if (/\b(HASHFUNC|SHARED)\b/.test(out) && !/\b(HASHFUNC|SHARED)\b/.test(text)) failures.push(`${relative(dir, file)}: writes the fork's HASHFUNC or SHARED`);
      // Every keyword written is one the class reads, and every class swapped in is indexed.
      for (const e of analysis.edits) {
        for (const m of e.newText.matchAll(/(?:^|[(,]\s*)([A-Z][A-Z_0-9]+)\s/g)) {
          const decl = model.elements.find(
            (el) => el.config && e.range.startOffset >= el.config.openParenOffset && e.range.startOffset <= (el.config.closeParenOffset ?? el.config.openParenOffset),
          );
          if (decl && elementInfo(tracker, decl.className)?.reads?.(m[1]) !== true) failures.push(`${relative(dir, file)}: ${decl.className} does not read ${m[1]}`);
        }
        if (/^[A-Za-z_]\w*$/.test(e.newText) && !index.element(e.newText)) failures.push(`${relative(dir, file)}: ${e.newText} is not an indexed class`);
      }
      const again = await parseClick(out);
      const errors = again.problems.filter((p) => p.severity === 'error');
      if (errors.length) failures.push(`${relative(dir, file)}: ${errors[0].message}`);
      else {
        const second = await analyzeConfig(again, options(file));
        if (second.edits.length || second.fileChanges.length) failures.push(`${relative(dir, file)}: a second rewrite still edits`);
      }
    }
    console.log(
      `      ${files.length} configurations, ${chains} chains, ${optimized} rewritten with ${edits} edits and ${rulesFiles} rules file(s); ${errorFindings.length} error finding(s)`,
    );
    for (const e of errorFindings) console.log(`        ${e}`);
    assert.deepStrictEqual(failures, []);
  });
});

describe("Deploy targets on FastClick's own elements", function () {
  let dir: string;
  before(function () {
    this.timeout(180_000);
    dir = fastclickSourceDir();
  });

  it('swaps a shared flow manager for its per-thread sibling and writes no RSS keyword for the driver default', async function () {
    this.timeout(600_000);
    const index = await ElementIndex.create();
    await index.build([join(dir, 'elements'), join(dir, 'include')]);
    const tracker = new FeatureTracker(index, FeatureStore.memory(dir));
    await tracker.analyzeAll();
    const text =
      'define($port 0, $queues 4)\n' +
      'input :: FromDPDKDevice($port, N_QUEUES $queues, MAXTHREADS $queues)\n' +
      '    -> CheckIPHeader(14)\n' +
      '    -> table :: FlowIPManagerMP(CAPACITY 65536, TIMEOUT 30)\n' +
      '    -> counter :: FlowCounter\n' +
      '    -> Discard;\n';
    const settings = readSettings({ 'flowmage.rewrite.swapClasses': true });
    const analysis = await analyzeConfig(await parseClick(text), {
      ...analyzeOptions(settings, (n) => elementInfo(tracker, n)),
      configPath: '/nonexistent/flows.click',
      readFile: () => undefined,
    });
    const out = applyEdits(text, analysis.edits);
    // FlowIPManagerIMP is EXPORT_ELEMENT's second name for FlowIPManager_CuckooPP: either name is the same class.
    assert.match(out, /table :: FlowIPManager(_CuckooPP|IMP)\(CAPACITY 65536, TIMEOUT 30\)/);
    assert.ok(!/HASHFUNC|SHARED|MODE|FLOW_RULES_FILE/.test(out), out);
    assert.deepStrictEqual(analysis.fileChanges, []);
    assert.strictEqual(analysis.chains[0].deploy.kind, 'flow-rules', analysis.chains[0].deploy.reason);
    for (const kw of ['CAPACITY', 'TIMEOUT']) assert.strictEqual(elementInfo(tracker, 'FlowIPManager_CuckooPP')?.reads?.(kw), true, kw);
  });
});
