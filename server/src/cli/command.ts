// The contract every `flowmage <subcommand>` follows: options declared once (they drive both
// parsing and --help), output through `CliIO`, and exit codes 0 ok / 1 input has problems / 2 usage
// or I/O error with one line on stderr.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /**
   * Writes bytes meant for a file or a pipe (the optimized configuration), which must not be
   * escaped. runCli sets it; `out` is used when absent.
   */
  data?(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface OptionSpec {
  name: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  value?: string;
  description: string;
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. `FILE.click [--json]` */
  usage: string;
  options: OptionSpec[];
  /** How many positional arguments the command takes. */
  positionals: { min: number; max: number; names: string };
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** A usage or I/O problem: printed as one line on stderr, exit code 2. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
  }
}

export const COMMON_OPTIONS: OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'print machine-readable JSON on stdout' },
  { name: 'help', type: 'boolean', short: 'h', description: 'show help for this command' },
];

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const options: ParseArgsConfig['options'] = {};
  for (const o of [...command.options, ...COMMON_OPTIONS]) {
    // node:util rejects keys present with an undefined value, so only set what is given.
    options[o.name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${command.name}: ${(err as Error).message.replace(/\. To specify.*$/s, '')}`);
  }
  const { min, max } = command.positionals;
  if (!parsed.values.help && (parsed.positionals.length < min || parsed.positionals.length > max)) {
    throw new CliError(`${command.name}: expected ${command.positionals.names}; see flowmage ${command.name} --help`);
  }
  return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
}

export function commandHelp(command: Command): string {
  const lines = [`usage: flowmage ${command.name} ${command.usage}`, '', command.summary, '', 'options:'];
  for (const o of [...command.options, ...COMMON_OPTIONS]) {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    lines.push(`  ${flag.padEnd(28)} ${o.description}${o.multiple ? ' (repeatable)' : ''}`);
  }
  return lines.join('\n') + '\n';
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function stringList(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

export function intOption(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}
