import * as assert from 'node:assert';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as yauzl from 'yauzl';

const ROOT = join(__dirname, '..', '..', '..');
const VSIX = join(ROOT, 'flowmage.vsix');

function entries(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('the packaged VSIX', () => {
  let files: string[] = [];
  before(async () => {
    assert.ok(existsSync(VSIX), 'run `npm run package` first');
    files = (await entries(VSIX)).filter((f) => f.startsWith('extension/')).map((f) => f.slice('extension/'.length));
  });

  it('holds only dist/, syntaxes/, media/, the manifest, README, LICENSE and CHANGELOG', () => {
    const allowed = /^(dist\/[^/]+\.(js|wasm|css)|syntaxes\/[^/]+\.json|media\/[^/]+\.png|package\.json|readme\.md|README\.md|LICENSE(\.txt)?|changelog\.md|CHANGELOG\.md)$/;
    const unexpected = files.filter((f) => !allowed.test(f));
    assert.deepStrictEqual(unexpected, [], `unexpected files in the VSIX: ${unexpected.join(', ')}`);
  });

  it('holds every runtime file the extension loads', () => {
    for (const f of [
      'dist/client.js',
      'dist/server.js',
      'dist/parseWorker.js',
      'dist/indexProcess.js',
      'dist/tokenizer-cl100k_base.js',
      'dist/tokenizer-o200k_base.js',
      'dist/tree-sitter.wasm',
      'dist/tree-sitter-cpp.wasm',
      'dist/chainView.js',
      'dist/chainView.css',
      'package.json',
      'syntaxes/click.tmLanguage.json',
      'syntaxes/language-configuration.json',
      'media/icon.png',
      'media/chain-view.png',
    ]) {
      assert.ok(files.includes(f), `${f} is packaged`);
    }
  });

  it('leaves out the CLI, which the extension never loads (npm ships it through `bin`)', () => {
    assert.ok(!files.includes('dist/cli.js'), files.join(', '));
  });

  it('contains no sources, tests, node_modules or source maps', () => {
    assert.ok(!files.some((f) => /node_modules|\.ts$|\.map$|^test\/|^client\/|^server\//.test(f)), files.join(', '));
  });

  it('stays small', () => {
    const size = statSync(VSIX).size;
    assert.ok(size < 10 * 1024 * 1024, `VSIX is ${size} bytes`);
  });
});
