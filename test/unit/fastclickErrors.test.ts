// The normaliser the real-FastClick suite compares errors with (test/fastclick/fastclickErrors.ts).
import * as assert from 'node:assert';
import { newErrors, normalizeErrors, normalizeLine, withoutNullDeviceFlowLimit } from '../fastclick/fastclickErrors';

const EAL_NOISE = [
  'EAL: Detected CPU lcores: 2',
  'EAL: Detected NUMA nodes: 1',
  'EAL: Detected shared linkage of DPDK',
  'EAL: Multi-process socket /var/run/dpdk/flowmage-test-1234-0/mp_socket',
  "EAL: Selected IOVA mode 'VA'",
  'TELEMETRY: No legacy callbacks, legacy socket not created',
  'Initializing DPDK',
  '',
].join('\n');

describe('FastClick error normaliser', function () {
  it("keeps an error under its context, without the file landmark or the copy's path", function () {
    const a = normalizeErrors(
      `${EAL_NOISE}\n/tmp/flowmage-fastclick-AAA/optimized/3/nat-dpdk.click:24: While configuring 'nicIn0 :: FromDPDKDevice':\n  HASHFUNC: unknown argument\nRouter could not be initialized!\n`,
    );
    assert.deepStrictEqual(a, ["While configuring 'nicIn0 :: FromDPDKDevice': HASHFUNC: unknown argument", 'Router could not be initialized!']);
    const b = normalizeErrors(
      `/work/fastclick/conf/nat/nat-dpdk.click:25: While configuring 'nicIn0 :: FromDPDKDevice':\n  HASHFUNC: unknown argument\nRouter could not be initialized!\n`,
    );
    assert.deepStrictEqual(b, a, 'the same error at another path and line is the same error');
  });

  it('drops DPDK chatter and warnings, and reports an undeclared class', function () {
    const errors = normalizeErrors(
      `${EAL_NOISE}\nx.click:3: warning: FromDPDKDevice uses a deprecated argument\nx.click:7: undeclared element 'FlowIPManagerX' (parsed as element class)\n`,
    );
    assert.deepStrictEqual(errors, ["undeclared element 'FlowIPManagerX' (parsed as element class)"]);
  });

  it("does not count FastClick's reports on threads, queues, batching and flow state as errors", function () {
    const stderr = [
      'fd0: 1 threads will be used to push packets downstream. 1 queues will be used meaning that each queue will be shared by 1 threads',
      'fd0: using queues from 0 to 0',
      'fd0: Queue 0 handled by th 0',
      'td: 1 threads can end up in this output devices. 1 queues will be used, so 1 queues for 1 thread',
      "td won't be in batch mode because no element produces or sends batches to it.",
      'Warning! Push Paint@8->pairs is not compatible with batch. Packets will be unbatched and that will reduce the performance.',
      "Warning: input thread assignment will assign threads already assigned by yourself, as you didn't left any cores for fd1",
      'Placing  counter :: FlowCounter at [12-19]',
      'Per-flow size is 20',
      'LookupIPRouteMP alignment: 0x55eaff511b70, 0x55eaff511bb0',
      "x.click:3: While configuring 'replay0 :: ReplayUnqueue':",
      '  STOP: invalid number',
    ].join('\n');
    assert.deepStrictEqual(normalizeErrors(stderr), ["While configuring 'replay0 :: ReplayUnqueue': STOP: invalid number"]);
  });

  it('hides addresses and timings, and keeps one copy of a message repeated per thread', function () {
    assert.strictEqual(normalizeLine('pool at 0x7f3a2c000000 ready after 12.5 ms'), 'pool at 0x? ready after ?s');
    const errors = normalizeErrors("While initializing 'fd0 :: FromDPDKDevice':\n  DPDK Flow Parser failed to parse input line\n  DPDK Flow Parser failed to parse input line\n");
    assert.deepStrictEqual(errors, ["While initializing 'fd0 :: FromDPDKDevice': DPDK Flow Parser failed to parse input line"]);
  });

  it('a message at the left margin ends the context it follows', function () {
    const errors = normalizeErrors("While configuring 'a :: Queue':\n  CAPACITY: expected unsigned\nRouter could not be initialized!\n");
    assert.deepStrictEqual(errors, ["While configuring 'a :: Queue': CAPACITY: expected unsigned", 'Router could not be initialized!']);
  });

  // The shapes below are what minclick printed here for upstream's nat-dpdk.click with MODE flow and a
  // one-rule FLOW_RULES_FILE, on net_null devices.
  const FLOW_MANAGER_PROGRESS = [
    "fl.click:24: While configuring 'nicIn0 :: FromDPDKDevice':",
    "  DPDK Flow Rule Manager (port 0): State active - Isolation Mode inactive - Source file 'g.rules'",
    'Initializing DPDK',
    "DPDK Flow Rule Manager (port 0): Opened file 'g.rules'",
    'DPDK Flow Rule Manager (port 0): Loaded 1/1 rules',
    "Keyword 'queue index' is not in 'flow create 0 ingress pattern eth / ipv4 / end actions rss types ipv4 l3-src-only end queues 0 1 end / end",
    "'",
  ].join('\n');

  it("does not count the flow rule manager's progress reports as errors", function () {
    assert.deepStrictEqual(normalizeErrors(FLOW_MANAGER_PROGRESS), []);
    assert.deepStrictEqual(
      normalizeErrors('DPDK Flow Rule Manager (port 0): Loaded 0/1 rules'),
      ['DPDK Flow Rule Manager (port 0): Loaded 0/1 rules'],
      'a rule left out is reported',
    );
  });

  it('treats net_null refusing rules that parsed as accepted, but not a rule that did not parse', function () {
    const accepted = normalizeErrors(
      [
        FLOW_MANAGER_PROGRESS,
        'port_flow_complain(): Caught PMD error type 1 (cause unspecified): Function not implemented: Function not implemented',
        'DPDK Flow Rule Manager (port 0): Flow installation failed - Has 0, but expected 1 rules',
        "fl.click:25: While initializing 'nicOut0 :: ToDPDKDevice':",
        '  Could not configure all rules for device 0',
        'Router could not be initialized!',
      ].join('\n'),
    );
    assert.strictEqual(accepted.length, 4, accepted.join('\n'));
    assert.deepStrictEqual(withoutNullDeviceFlowLimit(accepted), []);

    const rejected = normalizeErrors(
      [
        FLOW_MANAGER_PROGRESS.replace(/l3-src-only/g, 'l3-src-onl'),
        'DPDK Flow Parser failed to parse input line: flow create 0 ingress pattern eth / ipv4 / end actions rss types ipv4 l3-src-onl end queues 0 1 end / end',
        '',
        'DPDK Flow Rule Manager (port 0): Partially installed 0/1 rules',
        'DPDK Flow Rule Manager (port 0): Failed to parse rules due to ambiguous input',
        "bl.click:25: While initializing 'nicOut0 :: ToDPDKDevice':",
        '  Could not configure all rules for device 0',
        'Router could not be initialized!',
      ].join('\n'),
    );
    assert.deepStrictEqual(withoutNullDeviceFlowLimit(rejected), rejected);
    assert.ok(
      rejected.some((e) => e.startsWith('DPDK Flow Parser failed to parse input line')),
      rejected.join('\n'),
    );
  });

  it('newErrors lists only what the second run added', function () {
    assert.deepStrictEqual(newErrors(['A', 'B'], ['B', 'C', 'A']), ['C']);
    assert.deepStrictEqual(newErrors(['A'], []), []);
  });
});
