// Deploy targets on the deploy fixtures (test/fixtures/deploy): what each input device and element
// reads decides how the plan is written, and the rules file travels with the edits.
import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { analyzeConfig, type AnalyzeOptions } from '../../../server/src/core/chains/analyzeConfig';
import { elementInfo } from '../../../server/src/core/chains/elementLookup';
import { analyzeOptions } from '../../../server/src/config/coreOptions';
import { LineIndex } from '../../../server/src/core/text';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { readSettings, type SettingId } from '../../../server/src/core/settings';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { applyEdits } from '../../../server/src/core/text';
import { workspaceEditFor } from '../../../server/src/lsp/codeActions';
import { ROOT, parse } from './fixtureFeatures';

const DEPLOY = join(ROOT, 'test', 'fixtures', 'deploy');

function flowmage(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
let tracker: Promise<FeatureTracker> | undefined;

function deployTracker(): Promise<FeatureTracker> {
  tracker ??= (async () => {
    const index = await ElementIndex.create();
    await index.build([DEPLOY]);
    const t = new FeatureTracker(index, FeatureStore.memory(DEPLOY));
    await t.analyzeAll();
    return t;
  })();
  return tracker;
}

async function options(configPath: string | undefined, settings: Partial<Record<SettingId, unknown>> = {}, files: Record<string, string> = {}): Promise<AnalyzeOptions> {
  const t = await deployTracker();
  return {
    // These tests exercise class swaps, which are opt-in (flowmage.rewrite.swapClasses).
    ...analyzeOptions(readSettings({ 'flowmage.rewrite.swapClasses': true, ...settings }), (name) => elementInfo(t, name)),
    configPath,
    readFile: (p) => files[p],
  };
}

async function optimize(text: string, name = 'conf.click', settings: Partial<Record<SettingId, unknown>> = {}, files: Record<string, string> = {}) {
  const path = join(DEPLOY, name);
  const analysis = await analyzeConfig(await parse(text), await options(path, settings, files));
  return { analysis, out: applyEdits(text, analysis.edits), path };
}

describe('deploy targets', function () {
  this.timeout(60_000);

  it('upstream input: MODE flow, FLOW_RULES_FILE beside the configuration and the rules in the same result', async () => {
    const text = readFileSync(join(DEPLOY, 'chain-src.click'), 'utf8');
    const { analysis, out } = await optimize(text, 'chain-src.click');
    const c = analysis.chains[0];
    assert.strictEqual(c.deploy.kind, 'flow-rules', c.deploy.reason);
    assert.deepStrictEqual(c.plan.rss, ['src_ip']);
    assert.match(out, /FromFlowNIC\(0, N_QUEUES \$queues, MODE flow, FLOW_RULES_FILE "chain-src\.fd0\.rules"\)/);
    assert.deepStrictEqual(analysis.fileChanges, [
      { path: join(DEPLOY, 'chain-src.fd0.rules'), exists: false, content: 'ingress pattern eth / ipv4 / end actions rss types ipv4 l3-src-only end queues 0 1 2 3 end / end\n' },
    ]);
    assert.ok(!/HASHFUNC|SHARED/.test(out), out);
  });

  it('a second run over the result changes nothing (no edit, no file)', async () => {
    const text = readFileSync(join(DEPLOY, 'chain-src.click'), 'utf8');
    const first = await optimize(text, 'chain-src.click');
    const files = Object.fromEntries(first.analysis.fileChanges.map((f) => [f.path, f.content]));
    const second = await optimize(first.out, 'chain-src.click', {}, files);
    assert.deepStrictEqual(second.analysis.edits, []);
    assert.deepStrictEqual(second.analysis.fileChanges, []);
  });

  it('swaps a shared table for its per-thread sibling, and writes nothing for the driver default', async () => {
    const text = readFileSync(join(DEPLOY, 'chain-flow.click'), 'utf8');
    const { analysis, out } = await optimize(text, 'chain-flow.click');
    assert.match(out, /ft :: FlowTableIMP\(CAPACITY 65536\)/);
    assert.ok(!/MODE|FLOW_RULES_FILE/.test(out), 'the 4-tuple is what the driver hashes already');
    assert.deepStrictEqual(analysis.fileChanges, []);
    assert.ok(
      analysis.editNotes.some((n) => /FlowTableMP → FlowTableIMP/.test(n) && /same name stem/.test(n)),
      analysis.editNotes.join('\n'),
    );
  });

  it('without flowmage.rewrite.swapClasses it keeps the class and names the sibling', async () => {
    const text = readFileSync(join(DEPLOY, 'chain-src.click'), 'utf8');
    const analysis = await analyzeConfig(await parse(text), await options(join(DEPLOY, 'chain-src.click'), { 'flowmage.rewrite.swapClasses': false }));
    assert.ok(
      analysis.edits.every((e) => !/^[A-Za-z_]\w*$/.test(e.newText)),
      JSON.stringify(analysis.edits),
    );
    const swapped = await analyzeConfig(await parse(text), await options(join(DEPLOY, 'chain-src.click')));
    assert.ok(
      swapped.edits.some((e) => /^[A-Za-z_]\w*$/.test(e.newText)),
      'with the setting on, a class is swapped',
    );
    const reasons = analysis.chains.flatMap((c) => c.elements.map((e) => e.reason)).join('\n') + analysis.editNotes.join('\n');
    assert.match(reasons + JSON.stringify(analysis.chains.map((c) => c.elements.map((e) => e.route))), /set flowmage\.rewrite\.swapClasses/);
  });

  it('does not swap to a sibling that does not accept the arguments given', async () => {
    const { out, analysis } = await optimize('fd0 :: FromFlowNIC(0, N_QUEUES 4) -> ft :: FlowTableMP(CAPACITY 1, BOGUS 2) -> Discard;\n');
    assert.match(out, /FlowTableMP\(CAPACITY 1, BOGUS 2\)/);
    const route = analysis.chains[0].elements.find((s) => s.instance.id === 'ft')!.route!;
    assert.strictEqual(route.kind, 'class');
    assert.match(route.reason, /does not accept every argument/);
  });

  it('two devices: an anonymous input gets a stable rules file name; an input that reads neither form gets a hint instead', async () => {
    const text = readFileSync(join(DEPLOY, 'chain-two.click'), 'utf8');
    const { analysis, out } = await optimize(text, 'chain-two.click');
    assert.match(out, /FromFlowNIC\(0, N_QUEUES 2, MODE flow, FLOW_RULES_FILE "chain-two\.FromFlowNIC-1\.rules"\)/);
    assert.match(out, /plain :: FromPlainNIC\(1, N_QUEUES 2\)/);
    const plain = analysis.chains.find((c) => c.chain.input.id === 'plain')!;
    assert.strictEqual(plain.deploy.kind, 'none');
    assert.deepStrictEqual(plain.plan.rss, plain.current.rss, 'the plain chain is solved for the hashing in place');
    // The driver hashes addresses and ports, inside the table's 4-tuple key: per-thread is safe as is.
    assert.deepStrictEqual(plain.current.rss, ['src_ip', 'dst_ip', 'src_port', 'dst_port']);
    assert.match(out, /ft :: FlowTableIMP/);
    // Hashing dst_ip would also keep the limiter's state per core, but only by hand.
    const hint = analysis.findings.find((f) => f.code === 'manual-rss');
    assert.ok(hint && hint.message.includes('ethtool -N <if> rx-flow-hash tcp4 d;'), JSON.stringify(analysis.findings));
    assert.match(out, /lim :: DstLimiter\(SHARED true\)/, 'without the RSS change the limiter must share');
    const unsafe = analysis.findings.find((f) => f.code === 'unsafe-threading');
    assert.ok(unsafe && /counter/.test(unsafe.message) && unsafe.severity === 'error', JSON.stringify(analysis.findings));
  });

  it('a per-thread element without a shared variant is a hard constraint; breaking it as written is an error', async () => {
    const { analysis } = await optimize('fd0 :: FromPlainNIC(0, N_QUEUES 4) -> src :: SrcTableIMP -> Discard;\n');
    const err = analysis.findings.find((f) => f.code === 'unsafe-shared-nothing');
    assert.ok(err && err.severity === 'error' && /per-thread state/.test(err.message), JSON.stringify(analysis.findings));
    // With a device that can change RSS, every candidate outside src_ip is rejected.
    const fixed = await optimize('fd0 :: FromFlowNIC(0, N_QUEUES 4) -> src :: SrcTableIMP -> ft :: FlowTableMP -> Discard;\n');
    const plan = fixed.analysis.chains[0].plan;
    assert.deepStrictEqual(plan.rss, ['src_ip']);
    assert.ok(
      plan.alternatives.every((a) => a.rss.every((f) => f === 'src_ip')),
      'rejected candidates are not listed as alternatives',
    );
  });

  it('unknown queue count: no rules file, and the plan says why', async () => {
    const { analysis, out } = await optimize('fd0 :: FromFlowNIC(0) -> src :: SrcTableIMP -> Discard;\n');
    assert.strictEqual(analysis.chains[0].deploy.kind, 'none');
    assert.match(analysis.chains[0].deploy.reason, /number of receive queues is unknown/);
    assert.deepStrictEqual(analysis.fileChanges, []);
    assert.ok(!/MODE/.test(out));
  });

  it('the fork: HASHFUNC and SHARED where the source reads them, and never a restated default', async () => {
    const { out } = await optimize('fd0 :: FromForkNIC(0, N_QUEUES 4) -> lim :: DstLimiter -> Discard;\n');
    assert.match(out, /FromForkNIC\(0, N_QUEUES 4, HASHFUNC "dst_ip"\)/);
    assert.match(out, /DstLimiter\(SHARED false\)/);
    // Nothing stateful: the plan keeps the 5-tuple, which is the default, so nothing is written
    // (the rewrite used to add HASHFUNC "src_ip dst_ip src_port dst_port protocol").
    const five = await optimize('fd0 :: FromForkNIC(0, N_QUEUES 4) -> Discard;\n');
    assert.deepStrictEqual(five.analysis.chains[0].plan.rss.length, 5);
    assert.deepStrictEqual(five.analysis.edits, []);
  });

  it('flowmage.rewrite.target fastclick ignores the fork keywords', async () => {
    const { analysis, out } = await optimize('fd0 :: FromForkNIC(0, N_QUEUES 4) -> lim :: DstLimiter -> Discard;\n', 'conf.click', { 'flowmage.rewrite.target': 'fastclick' });
    assert.ok(!/HASHFUNC|SHARED/.test(out), out);
    assert.strictEqual(analysis.chains[0].deploy.kind, 'none');
    assert.match(analysis.chains[0].deploy.reason, /not known to read MODE and FLOW_RULES_FILE/);
  });

  it('the CLI --write and the code action give the same files', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'flowmage-deploy-'));
    const conf = join(dir, 'chain-src.click');
    const text = readFileSync(join(DEPLOY, 'chain-src.click'), 'utf8');
    await fs.writeFile(conf, text);
    const r = flowmage(['optimize', conf, '--source', DEPLOY, '--write']);
    assert.strictEqual(r.code, 0, r.stderr);
    // The CLI runs with the default settings: no class swaps.
    const analysis = await analyzeConfig(await parse(text), await options(conf, { 'flowmage.rewrite.swapClasses': false }));
    const edit = workspaceEditFor(pathToFileURL(conf).toString(), 1, analysis, new LineIndex(text), true)!;
    const result = new Map<string, string>();
    for (const change of edit.documentChanges!) {
      if ('kind' in change) {
        assert.strictEqual(change.kind, 'create');
        assert.deepStrictEqual(change.options, { overwrite: true });
        result.set(change.uri, '');
      } else {
        const uri = change.textDocument.uri;
        const before = result.get(uri) ?? text;
        assert.ok(change.edits.every((e) => 'range' in e));
        const lines = before.split('\n');
        const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
        const sorted = [...change.edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
        let after = before;
        for (const e of sorted) after = after.slice(0, offset(e.range.start)) + e.newText + after.slice(offset(e.range.end));
        result.set(uri, after);
      }
    }
    const written = await fs.readdir(dir);
    assert.deepStrictEqual(written.sort(), ['chain-src.click', 'chain-src.fd0.rules']);
    for (const f of written) assert.strictEqual(result.get(pathToFileURL(join(dir, f)).toString()), readFileSync(join(dir, f), 'utf8'), f);
    const json = JSON.parse(flowmage(['optimize', conf, '--source', DEPLOY, '--json']).stdout);
    assert.deepStrictEqual(json.files, [], 'after --write there is nothing left to do');
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a rules file the configuration already names is left alone', async () => {
    const { analysis, out } = await optimize('fd0 :: FromFlowNIC(0, N_QUEUES 4, MODE flow, FLOW_RULES_FILE my_rules) -> src :: SrcTableIMP -> Discard;\n');
    assert.strictEqual(analysis.chains[0].deploy.kind, 'none');
    assert.match(analysis.chains[0].deploy.reason, /already names its own rules file \(my_rules\)/);
    assert.deepStrictEqual(analysis.fileChanges, []);
    assert.match(out, /FLOW_RULES_FILE my_rules\)/);
  });

  it('without a file path there is no rules file', async () => {
    const analysis = await analyzeConfig(await parse('fd0 :: FromFlowNIC(0, N_QUEUES 4) -> SrcTableIMP -> Discard;\n'), await options(undefined));
    assert.strictEqual(analysis.chains[0].deploy.kind, 'none');
    assert.deepStrictEqual(analysis.fileChanges, []);
  });

  it('a client that cannot create files gets no edit', async () => {
    const text = readFileSync(join(DEPLOY, 'chain-src.click'), 'utf8');
    const { analysis } = await optimize(text, 'chain-src.click');
    assert.strictEqual(workspaceEditFor('file:///x.click', 1, analysis, new LineIndex(text), false), null);
  });
});
