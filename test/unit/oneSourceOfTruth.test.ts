// Guards against second definitions creeping back (issue 12, "one source of truth"): settings read by
// id outside the adapters, setting ids that name no setting, custom LSP method names spelled outside
// the protocol module, and copies of the flow-field and C++-extension vocabularies.
import * as assert from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FLOW_FIELDS } from '../../server/src/core/analysis/features';
import { CPP_EXTENSIONS, isCppSource } from '../../server/src/core/cpp/sourceFiles';
import { settingLeaves } from '../../server/src/core/settings';
import { CUSTOM_METHODS } from '../../server/src/protocol';

const ROOT = join(__dirname, '..', '..', '..');

function sources(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) out.push({ file: relative(ROOT, full).split('\\').join('/'), text: readFileSync(full, 'utf8') });
    }
  };
  walk(join(ROOT, dir));
  return out;
}

const SERVER = sources('server/src');
const CLIENT = sources('client/src');
const CORE = SERVER.filter((s) => s.file.startsWith('server/src/core/'));

describe('one source of truth', () => {
  it('the core reads no setting by its id: only the adapters turn settings into options', () => {
    const offenders = CORE.filter((s) => s.file !== 'server/src/core/settings.ts').filter((s) => /\[\s*['"`]flowmage\.|getConfiguration|\breadSettings\(/.test(s.text));
    assert.deepStrictEqual(
      offenders.map((s) => s.file),
      [],
    );
  });

  it('every setting id the code mentions (messages, comments) is a setting of the schema', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const ids = new Set<string>(settingLeaves().map((l) => l.id));
    const groups = new Set(
      [...ids].flatMap((id) =>
        id
          .split('.')
          .slice(1, -1)
          .map((_, i, parts) => `flowmage.${parts.slice(0, i + 1).join('.')}`),
      ),
    );
    // Ids that are no setting: commands, the client's secret and memento keys, its status item, a code action kind, the chain view's panel type.
    const other = new Set<string>([
      ...pkg.contributes.commands.map((c: { command: string }) => c.command),
      'flowmage.showFeaturesAt',
      'flowmage.llm.apiKey',
      'flowmage.llm.endpointConsent',
      'flowmage.server',
      'flowmage.chainView',
    ]);
    const unknown: string[] = [];
    for (const { file, text } of [...SERVER, ...CLIENT]) {
      for (const m of text.matchAll(/(?<![\w/.-])flowmage\.[a-zA-Z]+(?:\.[a-zA-Z]+)*/g)) {
        const id = m[0];
        if (!ids.has(id) && !groups.has(id) && !other.has(id)) unknown.push(`${file}: ${id}`);
      }
    }
    assert.deepStrictEqual(unknown, []);
  });

  it('custom LSP methods are spelled only in the protocol module', () => {
    const offenders: string[] = [];
    for (const { file, text } of [...SERVER, ...CLIENT, ...sources('test/protocol'), ...sources('test/editor')]) {
      if (file === 'server/src/protocol.ts') continue;
      // String literals only: comments may name the method they document.
      for (const m of text.matchAll(/['"]flowmage\/[a-zA-Z]+/g)) offenders.push(`${file}: ${m[0]}`);
    }
    assert.deepStrictEqual(offenders, []);
    assert.ok(CUSTOM_METHODS.length >= 7);
  });

  it('the five flow fields are listed once, in core/analysis/features.ts', () => {
    const list = FLOW_FIELDS.map((f) => `['"]${f}['"]`).join('\\s*,\\s*');
    const offenders = [...SERVER, ...CLIENT].filter((s) => s.file !== 'server/src/core/analysis/features.ts' && new RegExp(list).test(s.text));
    assert.deepStrictEqual(
      offenders.map((s) => s.file),
      [],
    );
  });

  it('the C++ file extensions are listed once, in core/cpp/sourceFiles.ts', () => {
    // A list of two or more extensions anywhere else (a glob, a regex, an array) is a copy.
    const copy = /['"`]\.?(hh|cc|hpp|cpp|cxx|hxx)['"`]\s*,\s*['"`]\.?(hh|cc|h|hpp|cpp|cxx|hxx)['"`]|\{(cc|hh),|\((hh|cc)\|/;
    const offenders = [...SERVER, ...CLIENT].filter((s) => s.file !== 'server/src/core/cpp/sourceFiles.ts' && copy.test(s.text));
    assert.deepStrictEqual(
      offenders.map((s) => s.file),
      [],
    );
    for (const ext of CPP_EXTENSIONS) assert.ok(isCppSource(`x${ext.toUpperCase()}`), ext);
  });
});
