// The real-FastClick harness itself: what it calls a new error must be one (an unknown keyword, an
// unknown class, a rules file FastClick cannot parse), and what upstream accepts (MODE flow with a
// valid FLOW_RULES_FILE, on net_null where flow rules cannot be installed) must not be one.
import * as assert from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newErrors } from './fastclickErrors';
import { buildMinclick, loadConfig, validateRules } from './fastclickRunner';

const GOOD_RULE = 'ingress pattern eth / ipv4 / end actions rss types ipv4 l3-src-only end queues 0 1 end / end';
const BAD_RULE = 'ingress pattern eth / ipv4 / end actions rss types ipv4 l3-src-onl end queues 0 1 end / end';

describe('real-FastClick harness', function () {
  let minclick: string;
  let dir: string;

  before(function () {
    this.timeout(45 * 60_000);
    minclick = buildMinclick();
    dir = mkdtempSync(join(tmpdir(), 'flowmage-harness-'));
  });
  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a configuration reading port 0 with the given extra FromDPDKDevice arguments. */
  function config(name: string, args: string, rest = ''): string {
    const file = join(dir, name);
    writeFileSync(file, `input :: FromDPDKDevice(0, N_QUEUES 2${args}) -> Strip(14) -> CheckIPHeader(CHECKSUM false) -> Unstrip(14) -> ToDPDKDevice(0);\n${rest}`);
    return file;
  }

  it('loads a plain upstream configuration without errors', function () {
    this.timeout(60_000);
    assert.deepStrictEqual(loadConfig(minclick, config('plain.click', '')).errors, []);
  });

  it('reports a keyword FastClick does not read as a new error', function () {
    this.timeout(60_000);
    const before = loadConfig(minclick, config('plain.click', '')).errors;
    const after = loadConfig(minclick, config('fork.click', ', HASHFUNC "src_ip dst_ip"')).errors;
    const added = newErrors(before, after);
    assert.ok(
      added.some((e) => /While configuring 'input :: FromDPDKDevice'.*HASHFUNC: unknown argument/.test(e)),
      added.join('\n'),
    );
  });

  it('reports an element class the driver does not have as a new error', function () {
    this.timeout(60_000);
    const before = loadConfig(minclick, config('plain.click', '')).errors;
    const after = loadConfig(minclick, config('unknown.click', '', 'Idle -> NoSuchFlowElement -> Discard;\n')).errors;
    assert.ok(
      newErrors(before, after).some((e) => /NoSuchFlowElement/.test(e)),
      after.join('\n'),
    );
  });

  it('accepts MODE flow with a rules file FastClick parses (net_null cannot install it)', function () {
    this.timeout(60_000);
    writeFileSync(join(dir, 'good.rules'), `${GOOD_RULE}\n`);
    const before = loadConfig(minclick, config('plain.click', '')).errors;
    const after = loadConfig(minclick, config('flow.click', ', MODE flow, FLOW_RULES_FILE good.rules'));
    assert.deepStrictEqual(newErrors(before, after.errors), [], after.stderr);
  });

  it('reports a rules file FastClick cannot parse as a new error', function () {
    this.timeout(60_000);
    writeFileSync(join(dir, 'bad.rules'), `${BAD_RULE}\n`);
    const before = loadConfig(minclick, config('plain.click', '')).errors;
    const after = loadConfig(minclick, config('badflow.click', ', MODE flow, FLOW_RULES_FILE bad.rules'));
    assert.notDeepStrictEqual(newErrors(before, after.errors), [], after.stderr);
  });

  it('validates rules with dpdk-testpmd: a typo is rejected, a valid rule is accepted', function () {
    this.timeout(60_000);
    const [good, bad] = validateRules([GOOD_RULE, BAD_RULE]);
    assert.strictEqual(good.accepted, true, good.output);
    assert.strictEqual(bad.accepted, false, bad.output);
    assert.match(bad.output, /Bad arguments/);
  });
});
