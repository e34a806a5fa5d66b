// Optimize chain against real FastClick (issue 9 part 5): every configuration of upstream FastClick's
// conf/ that reads a DPDK device, and the upstream-only fixtures of test/fixtures/upstream/, is
// optimized with the CLI (`flowmage optimize --write`, FastClick's own source as the index) on a copy;
// the original and the result are loaded with a minimal FastClick built from the same source
// (`-q`: configure, initialize, quit) and the result must not have any error the original did not.
// Every rules file the rewrite writes beside the configuration must parse in dpdk-testpmd.
// Needs the system packages of scripts/install-fastclick-deps.sh; run with `npm run test:fastclick`.
import * as assert from 'node:assert';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fastclickSourceDir, REPO_ROOT } from '../support/fastclickSource';
import { newErrors } from './fastclickErrors';
import { buildMinclick, loadConfig, validateRulesFile, type LoadResult, type RuleVerdict } from './fastclickRunner';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'upstream');
const OPTIMIZE_CONCURRENCY = 2;
/** Errors Click reports while reading the configuration, before any element is configured. */
const LEXER_STAGE = /^(unknown element class|undeclared element) /;

interface Case {
  /** conf/…/x.click or fixtures/x.click */
  label: string;
  /** The original, in its folder (copied whole: libraries and rules files are relative to it). */
  source: string;
  original?: string;
  optimized?: string;
  optimizeExit?: number | null;
  optimizeOutput?: string;
  changed?: boolean;
  /** Files other than the configuration that the optimize run created or changed (rules files). */
  written?: string[];
}

/** The conf/ files that use FromDPDKDevice, as scripts/fastclick-confs.mjs lists them. */
function upstreamConfs(src: string): string[] {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'fastclick-confs.mjs'), 'list', src], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`cannot list FastClick's configurations: ${run.stderr}`);
  return run.stdout.split('\n').filter(Boolean);
}

function snapshot(dir: string, out = new Map<string, string>(), root = dir): Map<string, string> {
  for (const name of readdirSync(dir)) {
    // FlowMage's own persistent index (the CLI keeps it in <cwd>/.flowmage/index) is no rules file.
    if (name === '.flowmage' && dir === root) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) snapshot(full, out, root);
    else out.set(relative(root, full), readFileSync(full, 'latin1'));
  }
  return out;
}

// --no-cache: each run works in its own copy, where a persistent index would be written once and never read.
function optimize(file: string, src: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'optimize', file, '--source', src, '--write', '--no-cache'], { cwd: dirname(file), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, output: stdout + stderr });
    });
  });
}

async function pool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** Click prints a message to stdout/stderr that names the problem; show the first few. */
function brief(errors: readonly string[], max = 3): string {
  return errors.length ? errors.slice(0, max).join(' | ') + (errors.length > max ? ` | … (${errors.length})` : '') : 'none';
}

describe('Optimize chain against real FastClick', function () {
  const src = fastclickSourceDir();
  const cases: Case[] = [
    ...upstreamConfs(src).map((f) => ({ label: relative(src, f), source: f })),
    ...readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.click'))
      .sort()
      .map((f) => ({ label: `fixtures/upstream/${f}`, source: join(FIXTURES, f) })),
  ];
  let work: string;
  let minclick: string;
  const loads = new Map<string, { original: LoadResult; optimized: LoadResult; rules: Map<string, RuleVerdict[]> }>();

  before(async function () {
    this.timeout(45 * 60_000);
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
    work = mkdtempSync(join(tmpdir(), 'flowmage-fastclick-'));
    cases.forEach((c, i) => {
      for (const side of ['original', 'optimized'] as const) {
        const dir = join(work, side, String(i));
        cpSync(dirname(c.source), dir, { recursive: true });
        c[side] = join(dir, basename(c.source));
      }
    });
    await pool(cases, OPTIMIZE_CONCURRENCY, async (c) => {
      const dir = dirname(c.optimized!);
      const before = snapshot(dir);
      const { code, output } = await optimize(c.optimized!, src);
      const after = snapshot(dir);
      c.optimizeExit = code;
      c.optimizeOutput = output;
      const name = basename(c.optimized!);
      c.changed = before.get(name) !== after.get(name);
      c.written = [...after.keys()].filter((f) => f !== name && before.get(f) !== after.get(f)).map((f) => join(dir, f));
    });
    // The driver holds every class the originals and the rewrites use (a class the rewrite swaps in
    // is built too; the build is incremental and cached per class list).
    minclick = buildMinclick(cases.filter((c) => c.changed).map((c) => c.optimized!));
  });

  after(function () {
    if (work) rmSync(work, { recursive: true, force: true });
    if (!loads.size) return;
    const rows = cases.filter((c) => loads.has(c.label));
    const clean = rows.filter((c) => !loads.get(c.label)!.original.errors.length);
    const withNew = rows.filter((c) => {
      const l = loads.get(c.label)!;
      return newErrors(l.original.errors, l.optimized.errors).length > 0;
    });
    const fromConf = rows.filter((c) => c.label.startsWith('conf/'));
    const early = rows.filter((c) => loads.get(c.label)!.original.errors.some((e) => LEXER_STAGE.test(e)));
    console.log(
      `\n      ${rows.length} configurations (${fromConf.length} from conf/), ` +
        `${clean.length} originals load clean (${clean.filter((c) => c.label.startsWith('conf/')).length} from conf/), ` +
        `${early.length} originals fail before configure, ${rows.filter((c) => c.changed).length} changed, ` +
        `${rows.reduce((n, c) => n + (c.written?.length ?? 0), 0)} rules files written, ${withNew.length} with new FastClick errors`,
    );
    console.log(`      minclick: ${minclick}`);
  });

  it('has configurations to check', function () {
    assert.ok(cases.filter((c) => c.label.startsWith('conf/')).length > 0, `no conf/ file with a FromDPDKDevice under ${src}`);
    assert.ok(cases.filter((c) => c.label.startsWith('fixtures/')).length >= 3, 'the upstream fixtures are missing');
  });

  for (const c of cases) {
    it(`${c.label}: the optimized configuration adds no FastClick error`, function () {
      this.timeout(5 * 60_000);
      // exit 1 = the configuration has parse problems and optimize left it alone; anything else is a crash.
      assert.ok(c.optimizeExit === 0 || (c.optimizeExit === 1 && !c.changed), `flowmage optimize exited ${c.optimizeExit}:\n${c.optimizeOutput}`);
      const original = loadConfig(minclick, c.original!);
      const optimized = c.changed ? loadConfig(minclick, c.optimized!) : original;
      const rules = new Map<string, RuleVerdict[]>();
      for (const file of c.written ?? []) rules.set(basename(file), validateRulesFile(file));
      loads.set(c.label, { original, optimized, rules });

      const added = newErrors(original.errors, optimized.errors);
      const badRules = [...rules].flatMap(([file, verdicts]) => verdicts.filter((v) => !v.accepted).map((v) => `${file}: ${v.rule} → ${v.output.split('\n').pop()}`));
      const rulesNote = rules.size ? [...rules].map(([f, v]) => `${f} (${v.length} rules)`).join(', ') : 'none';
      console.log(`      ${c.label}: ${c.changed ? 'changed' : 'unchanged'}; rules files: ${rulesNote}; original errors: ${brief(original.errors)}; new errors: ${brief(added)}`);
      assert.deepStrictEqual({ newErrors: added, badRules }, { newErrors: [], badRules: [] }, `optimize output:\n${c.optimizeOutput}`);
      // Click stops before configure when a class is unknown: such an original proves nothing about
      // the rewrite's arguments, so it is reported as pending instead of passing.
      const stoppedEarly = original.errors.filter((e) => LEXER_STAGE.test(e));
      if (stoppedEarly.length) {
        this.test!.title += ` (original fails before configure: ${brief(stoppedEarly, 2)})`;
        this.skip();
      }
    });
  }

  it('every upstream fixture loads clean before optimization (they use only upstream elements)', function () {
    const fixtures = cases.filter((c) => c.label.startsWith('fixtures/'));
    const failing = fixtures
      .map((c) => ({ c, errors: (loads.get(c.label)?.original ?? loadConfig(minclick, c.original!)).errors }))
      .filter(({ errors }) => errors.length)
      .map(({ c, errors }) => `${c.label}: ${errors.join(' | ')}`);
    assert.deepStrictEqual(failing, []);
  });
});
