// Lists, with FlowMage's own parser (dist/cli.js, so run `npm run build` first), what the real-FastClick
// tests need: which configurations of a FastClick tree feed packets from a DPDK device, and which
// element classes a set of configurations uses (compound classes defined in the files, or in the
// libraries they `require`, are expanded, not listed).
//   node scripts/fastclick-confs.mjs list FASTCLICK_DIR     configurations under FASTCLICK_DIR/conf, one a line
//   node scripts/fastclick-confs.mjs classes FILE...        element classes, sorted, one a line
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = join(root, 'dist', 'cli.js');
/** The input element the suite is about: configurations that read packets from a DPDK port. */
const INPUT_CLASS = 'FromDPDKDevice';

function fail(message) {
  process.stderr.write(`fastclick-confs: ${message}\n`);
  process.exit(2);
}

if (!existsSync(cliPath)) fail(`${cliPath} is missing: run npm run build first`);
const { runCli } = require(cliPath);

async function parse(file) {
  let out = '';
  let err = '';
  const io = { out: (t) => (out += t), err: (t) => (err += t), env: {}, cwd: process.cwd() };
  const code = await runCli(['parse', file, '--json'], io);
  if (!out) fail(`cannot parse ${file} (exit ${code}): ${err.trim()}`);
  return JSON.parse(out);
}

/** The files `require(library FILE)` names, resolved as Click does: beside the configuration. */
function libraries(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const m of text.matchAll(/require\s*\(([^)]*)\)/g)) {
    for (const part of m[1].split(',')) {
      const lib = part.trim().match(/^library\s+"?([^"\s]+)"?$/);
      if (lib) found.push(resolve(dirname(file), lib[1]));
    }
  }
  return found.filter((f) => existsSync(f));
}

/** Classes used and compound classes defined by FILE and the libraries it requires. */
async function usage(file, seen = new Set()) {
  const used = new Set();
  const defined = new Set();
  if (seen.has(file)) return { used, defined };
  seen.add(file);
  const json = await parse(file);
  for (const e of json.elements ?? []) if (e.class) used.add(e.class);
  for (const c of json.elementclasses ?? []) defined.add(c.name);
  for (const lib of libraries(file)) {
    const sub = await usage(lib, seen);
    sub.used.forEach((c) => used.add(c));
    sub.defined.forEach((c) => defined.add(c));
  }
  return { used, defined };
}

function clickFiles(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) clickFiles(full, out);
    else if (name.endsWith('.click')) out.push(full);
  }
  return out;
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'list' && args.length === 1) {
  const conf = join(resolve(args[0]), 'conf');
  if (!existsSync(conf)) fail(`${conf} does not exist`);
  for (const file of clickFiles(conf)) {
    // Cheap text filter first; the parser decides (a class named only in a comment does not count).
    if (!readFileSync(file, 'utf8').includes(INPUT_CLASS)) continue;
    const { used } = await usage(file);
    if (used.has(INPUT_CLASS)) process.stdout.write(`${file}\n`);
  }
} else if (mode === 'classes' && args.length > 0) {
  const all = new Set();
  for (const file of args) {
    if (!existsSync(file)) fail(`${file} does not exist`);
    const { used, defined } = await usage(resolve(file));
    for (const c of used) if (!defined.has(c)) all.add(c);
  }
  process.stdout.write(
    [...all]
      .sort()
      .map((c) => `${c}\n`)
      .join(''),
  );
} else {
  fail('usage: fastclick-confs.mjs list FASTCLICK_DIR | classes FILE...');
}
