import * as assert from 'node:assert';
import { LlmClient } from '../../../server/src/core/llm/client';
import { LlmAnalyzer } from '../../../server/src/core/llm/llmAnalyzer';
import type { LlmSettings } from '../../../server/src/core/llm/types';
import { silentLogger } from '../../../server/src/core/log';
import { FakeOpenAI } from '../../support/fakeOpenAI';
import { fixtureTracker } from '../chains/fixtureFeatures';

describe('LLM complexity comparisons kept in the feature store', function () {
  this.timeout(20_000);
  const fake = new FakeOpenAI();
  after(() => fake.stop());

  it('asks once per pair and model, then answers from the store in either order', async () => {
    await fake.start();
    fake.sequence({ kind: 'content', content: '{"complexity": "IPortScanDetector"}' });
    const tracker = await fixtureTracker();
    let settings: LlmSettings = {
      enabled: true,
      baseUrl: fake.baseUrl,
      model: 'fake-4',
      temperature: 0,
      samples: 1,
      maxInputTokens: 16000,
      concurrency: 2,
      timeoutSeconds: 5,
      maxRetries: 0,
    };
    const analyzer = new LlmAnalyzer(
      () => tracker,
      new LlmClient(
        () => settings,
        () => 'sk-test-key-12345678',
        silentLogger,
      ),
      () => settings,
      silentLogger,
    );
    assert.strictEqual(await analyzer.comparator()('IPolicer', 'IPortScanDetector'), 'IPortScanDetector');
    assert.strictEqual(await analyzer.comparator()('IPortScanDetector', 'IPolicer'), 'IPortScanDetector');
    assert.strictEqual(fake.requests.length, 1, 'the second question is answered from the store');
    const stored = tracker.store.comparison('fake-4', 'IPolicer', 'IPortScanDetector');
    assert.strictEqual(stored?.promptVersion, 'complexity-v1');
    // Another model has no cached answer.
    settings = { ...settings, model: 'fake-5' };
    await analyzer.comparator()('IPolicer', 'IPortScanDetector');
    assert.strictEqual(fake.requests.length, 2);
  });
});
