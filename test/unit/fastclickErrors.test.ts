// The normaliser the real-FastClick suite compares errors with (test/fastclick/fastclickErrors.ts).
import * as assert from 'node:assert';
import { newErrors, normalizeErrors, normalizeLine } from '../fastclick/fastclickErrors';

const EAL_NOISE = [
  'EAL: Detected CPU lcores: 2',
  'EAL: Detected NUMA nodes: 1',
  'EAL: Detected shared linkage of DPDK',
  'EAL: Multi-process socket /var/run/dpdk/flowmage-test-1234-0/mp_socket',
  'EAL: Selected IOVA mode \'VA\'',
  'TELEMETRY: No legacy callbacks, legacy socket not created',
  'Initializing DPDK',
  '',
].join('\n');

describe('FastClick error normaliser', function () {
  it('keeps an error under its context, without the file landmark or the copy\'s path', function () {
    const a = normalizeErrors(`${EAL_NOISE}\n/tmp/flowmage-fastclick-AAA/optimized/3/nat-dpdk.click:24: While configuring 'nicIn0 :: FromDPDKDevice':\n  HASHFUNC: unknown argument\nRouter could not be initialized!\n`);
    assert.deepStrictEqual(a, ["While configuring 'nicIn0 :: FromDPDKDevice': HASHFUNC: unknown argument", 'Router could not be initialized!']);
    const b = normalizeErrors(`/work/fastclick/conf/nat/nat-dpdk.click:25: While configuring 'nicIn0 :: FromDPDKDevice':\n  HASHFUNC: unknown argument\nRouter could not be initialized!\n`);
    assert.deepStrictEqual(b, a, 'the same error at another path and line is the same error');
  });

  it('drops DPDK chatter and warnings, and reports an undeclared class', function () {
    const errors = normalizeErrors(`${EAL_NOISE}\nx.click:3: warning: FromDPDKDevice uses a deprecated argument\nx.click:7: undeclared element 'FlowIPManagerX' (parsed as element class)\n`);
    assert.deepStrictEqual(errors, ["undeclared element 'FlowIPManagerX' (parsed as element class)"]);
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

  it('newErrors lists only what the second run added', function () {
    assert.deepStrictEqual(newErrors(['A', 'B'], ['B', 'C', 'A']), ['C']);
    assert.deepStrictEqual(newErrors(['A'], []), []);
  });
});
