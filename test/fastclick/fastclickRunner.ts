// Runs real FastClick for the tests: builds (or finds) the minimal driver, loads a configuration with
// `-q` on DPDK null devices and returns its normalized errors, and validates DPDK flow rules with
// dpdk-testpmd (docs/ARCHITECTURE.md §7). Every DPDK process gets its own --file-prefix so that runs in
// parallel (other suites, other checkouts) do not fight over /var/run/dpdk/rte.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUILD_SCRIPT, REPO_ROOT } from '../support/fastclickSource';
import { normalizeErrors, withoutNullDeviceFlowLimit } from './fastclickErrors';

/** Cold builds take minutes on 2 cores. */
const BUILD_TIMEOUT_MS = 40 * 60_000;
const LOAD_TIMEOUT_MS = 60_000;

let prefixCounter = 0;
function dpdkPrefix(): string {
  return `flowmage-test-${process.pid}-${prefixCounter++}`;
}
/** DPDK leaves its runtime folder behind; remove the ones this process created. */
function removeRuntimeDir(prefix: string): void {
  for (const base of ['/var/run/dpdk', join(process.env.XDG_RUNTIME_DIR ?? '/tmp', 'dpdk'), '/tmp/dpdk']) {
    rmSync(join(base, prefix), { recursive: true, force: true });
  }
}

/**
 * Builds minclick for the default configurations plus `extraFiles` (their classes are added), with
 * scripts/build-fastclick.sh, and returns its path. Throws with the script's message when it fails.
 */
export function buildMinclick(extraFiles: readonly string[] = []): string {
  const run = spawnSync('bash', [BUILD_SCRIPT, ...extraFiles], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  const path = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !path || !existsSync(path)) {
    throw new Error(`scripts/build-fastclick.sh failed (exit ${run.status ?? run.signal}):\n${run.stderr.trim()}`);
  }
  return path;
}

export interface LoadResult {
  /** The driver's exit code (FastClick can print errors and still exit 0). */
  exitCode: number | null;
  stderr: string;
  /**
   * normalizeErrors(stderr) without net_null's refusal to install rules that parsed, plus a line when
   * the driver crashed or timed out.
   */
  errors: string[];
}

/** DPDK null devices for ports 0..count-1. */
export function nullDevices(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `--vdev=net_null${i}`);
}

/**
 * Loads FILE with `minclick --dpdk ... -- -q FILE`: configure and initialize, then quit. Runs in the
 * file's folder, so relative paths in the configuration (libraries, rules files) resolve as they would
 * for a user starting FastClick beside it.
 */
export function loadConfig(minclick: string, file: string, ports = 2): LoadResult {
  const prefix = dpdkPrefix();
  const args = ['--dpdk', '-l', '0', '--no-huge', '-m', '512', '--no-pci', `--file-prefix=${prefix}`, ...nullDevices(ports), '--', '-q', file];
  const run = spawnSync(minclick, args, { cwd: dirname(file), encoding: 'utf8', timeout: LOAD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  removeRuntimeDir(prefix);
  const stderr = (run.stderr ?? '') + (run.error ? `\n${run.error.message}\n` : '');
  const errors = withoutNullDeviceFlowLimit(normalizeErrors(stderr));
  if (run.signal) errors.push(`driver stopped by ${run.signal}${run.signal === 'SIGTERM' ? ' (timeout)' : ''}`);
  return { exitCode: run.status, stderr, errors };
}

/** The rules of a FLOW_RULES_FILE as FastClick reads them: non-blank lines not starting with blank. */
export function rulesOf(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0 && !/^[\s]/.test(line))
    .map((line) => line.replace(/^flow create\s+[\d\s]*/, '').trim());
}

export interface RuleVerdict {
  rule: string;
  /** true when testpmd parsed the rule ("Function not implemented" on net_null counts as parsed). */
  accepted: boolean;
  output: string;
}

/** Enough receive queues for every `queues ... end` list and `queue index N` of the rules (at least 4). */
export function queuesFor(rules: readonly string[]): number {
  let max = 3;
  for (const rule of rules) {
    for (const m of rule.matchAll(/\bqueues\s+((?:\d+\s+)+)end\b/g)) for (const q of m[1].trim().split(/\s+/)) max = Math.max(max, Number(q));
    for (const m of rule.matchAll(/\bqueue\s+index\s+(\d+)/g)) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

/** Validates rules with `flow validate 0 RULE` in one dpdk-testpmd session on a net_null port. */
export function validateRules(rules: readonly string[], queues = queuesFor(rules)): RuleVerdict[] {
  if (!rules.length) return [];
  const prefix = dpdkPrefix();
  const args = [
    '-l',
    '0-1',
    '--no-huge',
    '-m',
    '1024',
    '--no-pci',
    `--file-prefix=${prefix}`,
    '--vdev=net_null0',
    '--',
    '-i',
    `--rxq=${queues}`,
    `--txq=${queues}`,
    '--total-num-mbufs=8192',
  ];
  const input = rules.map((r) => `flow validate 0 ${r}\n`).join('') + 'quit\n';
  // testpmd reports PMD errors on stderr and prompts on stdout: one pipe keeps them in order.
  const run = spawnSync('sh', ['-c', 'exec dpdk-testpmd "$@" 2>&1', 'dpdk-testpmd', ...args], {
    input,
    encoding: 'utf8',
    timeout: LOAD_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  removeRuntimeDir(prefix);
  if (run.error) throw new Error(`dpdk-testpmd did not run: ${run.error.message}`);
  // Each command's answer follows its "testpmd> " prompt, in the order the commands were given.
  const answers = (run.stdout ?? '').split('testpmd> ').slice(1);
  return rules.map((rule, i) => {
    const output = (answers[i] ?? '').trim();
    const accepted = !/Bad arguments/.test(output) && /Function not implemented|Flow rule validated/.test(output);
    return { rule, accepted, output: output || `no answer from dpdk-testpmd (exit ${run.status}): ${(run.stdout ?? '').trim().slice(-500)}` };
  });
}

/** Convenience: validate every rule of a rules file. */
export function validateRulesFile(path: string): RuleVerdict[] {
  return validateRules(rulesOf(readFileSync(path, 'utf8')));
}
