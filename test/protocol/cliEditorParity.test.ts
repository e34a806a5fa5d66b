// One workspace, non-default settings, two front ends: `flowmage optimize` reading the workspace's
// settings files and the language server receiving the same settings over workspace/configuration
// (as VS Code sends them) must plan the same edit.
import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { WorkspaceEdit } from 'vscode-languageserver-protocol/node';
import { ElementsRequest, OptimizeRequest } from '../../server/src/protocol';
import { ROOT, startServer, waitFor } from './lspClient';

const CLI = join(ROOT, 'dist', 'cli.js');

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function applyWorkspaceEdit(text: string, uri: string, edit: WorkspaceEdit): string {
  const edits = edit.documentChanges ? edit.documentChanges.flatMap((c) => ('edits' in c && c.textDocument.uri === uri ? c.edits : [])) : (edit.changes?.[uri] ?? []);
  return TextDocument.applyEdits(TextDocument.create(uri, 'click', 1, text), edits as never);
}

// JSONC as VS Code writes and accepts it: comments, trailing commas, flat ids, other extensions' keys.
const VSCODE_SETTINGS = `{
  // the lab's NIC
  "flowmage.solver.nicProfile": "ixgbe",
  "flowmage.sourcePaths": ["elements"],
  "flowmage.rewrite.sharedParameter": "OVERRIDDEN_BY_CONFIG_JSON", /* .flowmage/config.json wins */
  "editor.tabSize": 2,
}
`;
const CONFIG_JSON = `{
  "rewrite": { "target": "flowmage-fork", "sharedParameter": "SHARED_STATE" },
  "solver": { "weights": { "perPacket": 6, }, },
}
`;
/** What VS Code would send for the `flowmage` section with the same values (it has no config.json). */
const EDITOR_SETTINGS = {
  solver: { nicProfile: 'ixgbe', weights: { perPacket: 6 } },
  sourcePaths: ['elements'],
  rewrite: { target: 'flowmage-fork', sharedParameter: 'SHARED_STATE' },
};

describe('CLI and editor read the same settings', function () {
  this.timeout(90_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-parity-'));
    cpSync(join(ROOT, 'examples'), dir, { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('plans the same edit for one workspace with non-default settings', async () => {
    const file = join(dir, 'paper-chain.click');
    const text = readFileSync(file, 'utf8');
    // Without settings files, the defaults: another plan (so the settings below are what makes the difference).
    const plain = cli(['optimize', 'paper-chain.click', '--source', 'elements'], dir);
    assert.strictEqual(plain.code, 0, plain.stderr);

    mkdirSync(join(dir, '.vscode'));
    writeFileSync(join(dir, '.vscode', 'settings.json'), VSCODE_SETTINGS);
    mkdirSync(join(dir, '.flowmage'), { recursive: true }); // the CLI's persistent index may have made it
    writeFileSync(join(dir, '.flowmage', 'config.json'), CONFIG_JSON);
    const fromCli = cli(['optimize', 'paper-chain.click'], dir);
    assert.strictEqual(fromCli.code, 0, fromCli.stderr);
    assert.doesNotMatch(fromCli.stderr, /warning/, 'the settings files are read without complaint');
    assert.notStrictEqual(fromCli.stdout, plain.stdout, 'the settings change the plan');
    assert.match(fromCli.stdout, /SHARED_STATE (true|false)/, 'config.json wins over settings.json');
    assert.doesNotMatch(fromCli.stdout, /OVERRIDDEN_BY_CONFIG_JSON/);

    const client = await startServer({ workspaceFolder: dir, settings: EDITOR_SETTINGS });
    try {
      const uri = pathToFileURL(file).href;
      await client.open(uri, text);
      await waitFor('the element index', async () => (await client.connection.sendRequest(ElementsRequest.type, { names: ['IPortScanDetector'] })).length > 0);
      const r = await client.connection.sendRequest(OptimizeRequest.type, { uri });
      assert.ok(r.edit, r.message);
      assert.strictEqual(applyWorkspaceEdit(text, uri, r.edit), fromCli.stdout);
    } finally {
      await client.shutdown();
    }
  });

  it('the server logs a wrong setting, uses its default and keeps answering', async () => {
    const client = await startServer({ workspaceFolder: dir, settings: { solver: { nicProfile: 'warp-drive', weights: { perPacket: 'high' } }, sourcePaths: ['elements'] } });
    try {
      const uri = pathToFileURL(join(dir, 'paper-chain.click')).href;
      await client.open(uri, readFileSync(join(dir, 'paper-chain.click'), 'utf8'));
      // Wait for the index of the workspace's sources, then ask for the plan.
      await waitFor('the element index', async () => (await client.connection.sendRequest(ElementsRequest.type, { names: ['IPortScanDetector'] })).length > 0);
      const { summary } = await client.connection.sendRequest(OptimizeRequest.type, { uri });
      assert.match(summary[0], /input: RSS 5-tuple → src_ip;/, `the default NIC profile (all subsets) and weights: ${summary.join(' / ')}`);
      const warned = client.logs.filter((l) => /invalid value/.test(l));
      assert.strictEqual(warned.length, 2, warned.join('\n'));
      assert.match(warned.join('\n'), /Setting flowmage\.solver\.nicProfile has an invalid value "warp-drive" \(must be one of "all-subsets".*\); using the default "all-subsets"/);
      assert.match(warned.join('\n'), /Setting flowmage\.solver\.weights\.perPacket has an invalid value "high" \(must be number\); using the default 4/);
    } finally {
      await client.shutdown();
    }
  });
});
