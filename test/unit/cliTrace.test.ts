// `flowmage optimize --trace`: the per-candidate RSS imbalance on a capture, checked against the
// simulation run in the test on the same packets; bad traces give clear errors. Runs the real CLI.
import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_NIC_PROFILES } from '../../server/src/core/rss/nicProfiles';
import { profileReta, simulate } from '../../server/src/core/rss/simulate';
import { syntheticTrace } from '../../server/src/core/rss/synthetic';
import { candidateFieldSets } from '../../server/src/core/solver/candidates';
import { ethernetFrame, writePcapng } from '../support/captureWriter';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const SOURCES = join(ROOT, 'examples', 'elements');
const PAPER = join(ROOT, 'examples', 'paper-chain.click');

const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('flowmage optimize --trace', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'flowmage-trace-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints each candidate's imbalance on the capture, as the simulation computes it", () => {
    const trace = syntheticTrace({ packets: 3000, connections: 300, seed: 4 });
    const frames = Array.from({ length: trace.length }, (_, i) =>
      ethernetFrame({ src: trace.srcIp[i], dst: trace.dstIp[i], sport: trace.srcPort[i], dport: trace.dstPort[i], proto: trace.protocol[i] }),
    );
    const file = join(dir, 't.pcapng');
    writeFileSync(file, writePcapng(frames));
    const r = run(['optimize', PAPER, '--source', SOURCES, '--nic', 'ixgbe', '--trace', file, '--queues', '4', '--json']);
    assert.strictEqual(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    const expected = simulate(trace, candidateFieldSets('ixgbe'), { reta: profileReta(BUILTIN_NIC_PROFILES.ixgbe, 4), nbQueues: 4 });
    assert.strictEqual(json.trace.kept, 3000);
    assert.strictEqual(json.trace.retaSize, 128);
    assert.deepStrictEqual(
      json.trace.candidates.map((c: { rss: string[]; imbalance: number }) => [c.rss.join(' '), c.imbalance]),
      expected.map((l) => [l.fields.join(' '), l.imbalance]),
    );
    const text = run(['optimize', PAPER, '--source', SOURCES, '--nic', 'ixgbe', '--trace', file, '--queues', '4']);
    assert.strictEqual(text.code, 0, text.stderr);
    assert.match(text.stderr, /trace .*t\.pcapng: 3000 packets, 3000 IPv4 kept/);
    for (const l of expected) assert.ok(text.stderr.includes(`${l.fields.join(' ')}: ${l.imbalance.toFixed(2)}`), `${l.fields.join(' ')} in\n${text.stderr}`);
    // The solver weighed the same numbers: every ixgbe candidate keeps the 5-tuple counter
    // shared-nothing, so the least imbalanced one wins, and the plan reports its imbalance.
    const least = Math.min(...expected.map((l) => l.imbalance));
    const chosen = expected.find((l) => l.fields.join(' ') === json.chains[0].rss.join(' '))!;
    assert.strictEqual(chosen.imbalance, least);
    assert.strictEqual(json.chains[0].imbalance, chosen.imbalance);
    assert.ok(
      expected.some((l) => l.imbalance > least),
      'the trace tells the candidates apart',
    );
    // The chosen set is marked.
    assert.ok(text.stderr.includes(`* ${json.chains[0].rss.join(' ')}: ${least.toFixed(2)}`), text.stderr);
  });

  it('the solver rejects a single-address set that a heavy source overloads, and says why', () => {
    const trace = syntheticTrace({ packets: 6000, connections: 1500, zipf: 0.4, heavySources: 1, heavyShare: 0.5, twoWayShare: 0, seed: 9 });
    const frames = Array.from({ length: trace.length }, (_, i) =>
      ethernetFrame({ src: trace.srcIp[i], dst: trace.dstIp[i], sport: trace.srcPort[i], dport: trace.dstPort[i], proto: trace.protocol[i] }),
    );
    const file = join(dir, 'heavy.pcapng');
    writeFileSync(file, writePcapng(frames));
    const before = JSON.parse(run(['optimize', PAPER, '--source', SOURCES, '--json']).stdout);
    assert.deepStrictEqual(before.chains[0].rss, ['src_ip'], 'without a trace the plan hashes src_ip');
    const r = run(['optimize', PAPER, '--source', SOURCES, '--trace', file, '--json']);
    assert.strictEqual(r.code, 0, r.stderr);
    const chain = JSON.parse(r.stdout).chains[0];
    assert.notDeepStrictEqual(chain.rss, ['src_ip']);
    const src = chain.alternatives.find((a: { rss: string[] }) => a.rss.join(' ') === 'src_ip');
    assert.match(src.rejected, /^imbalance \d+\.\d\d on the trace .*heavy\.pcapng exceeds flowmage\.solver\.maxImbalance 2$/);
    assert.ok(chain.notes.some((n: string) => /^rejected on the trace .*src_ip/.test(n)));
    const text = run(['optimize', PAPER, '--source', SOURCES, '--trace', file]);
    assert.match(text.stderr, /\(imbalance \d\.\d\d on the trace\)/);
    assert.match(text.stderr, /rejected on the trace .*heavy\.pcapng/);
  });

  it('a file that is no capture, a missing file and a bad --queues give clear errors', () => {
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, 'not a capture at all');
    const r1 = run(['optimize', PAPER, '--source', SOURCES, '--trace', bad]);
    assert.strictEqual(r1.code, 2, r1.stderr);
    assert.match(r1.stderr, /not a pcap or pcapng capture/);
    const r2 = run(['optimize', PAPER, '--source', SOURCES, '--trace', join(dir, 'missing.pcap')]);
    assert.match(r2.stderr, /cannot read the trace .*ENOENT/);
    const r3 = run(['optimize', PAPER, '--source', SOURCES, '--trace', bad, '--queues', 'x']);
    assert.match(r3.stderr, /--queues must be an integer/);
    assert.ok(!/\n\s+at /.test(r1.stderr + r2.stderr + r3.stderr), 'no stack trace');
  });
});
