// Features of the project's fixture elements (test/fixtures/elements), analyzed once per run, as the
// lookup analyzeConfig takes.
import { join } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import type { AnalyzeOptions } from '../../../server/src/core/chains/analyzeConfig';
import { elementInfo } from '../../../server/src/core/chains/elementLookup';
import { analyzeOptions } from '../../../server/src/config/coreOptions';
import { ClickDocument } from '../../../server/src/core/click/clickDocument';
import type { ConfigModel } from '../../../server/src/core/click/model';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { readSettings, type SettingId } from '../../../server/src/core/settings';
import { FeatureStore } from '../../../server/src/core/store/featureStore';

export const ROOT = join(__dirname, '..', '..', '..', '..');
export const ELEMENTS = join(ROOT, 'test', 'fixtures', 'elements');

let tracker: Promise<FeatureTracker> | undefined;

export function fixtureTracker(): Promise<FeatureTracker> {
  tracker ??= (async () => {
    const index = await ElementIndex.create();
    await index.build([ELEMENTS]);
    const t = new FeatureTracker(index, FeatureStore.memory(ELEMENTS));
    await t.analyzeAll();
    return t;
  })();
  return tracker;
}

/**
 * The fixture elements are the fork's (IFlowManager reads SHARED) and the fixtures have no input
 * device class, so these tests target the fork unless they say otherwise.
 */
export async function fixtureOptions(overrides: Partial<Record<SettingId, unknown>> = {}, extra: Partial<AnalyzeOptions> = {}): Promise<AnalyzeOptions> {
  const t = await fixtureTracker();
  return { ...analyzeOptions(readSettings({ 'flowmage.rewrite.target': 'flowmage-fork', ...overrides }), (name) => elementInfo(t, name)), ...extra };
}

export async function parse(text: string): Promise<ConfigModel> {
  return (await ClickDocument.create(text)).model;
}
