// Shared by the C++ and analysis unit tests: the fixture element tree, indexed once.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';

/** The clone: tests are bundled at different depths under out/, so walk up to package.json. */
function findRoot(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'server'))) return dir;
  throw new Error('cannot find the repository root');
}

export const ROOT = findRoot();
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'elements');
export const EXAMPLES = join(ROOT, 'examples', 'elements');

let fixtureIndex: Promise<ElementIndex> | undefined;

/** The index of test/fixtures/elements (shared: tests must not update it; build their own to change files). */
export function fixtureElements(): Promise<ElementIndex> {
  fixtureIndex ??= (async () => {
    const index = await ElementIndex.create();
    await index.build([FIXTURES]);
    return index;
  })();
  return fixtureIndex;
}
