// `flowmage`: the command-line face of the same core the language server uses.
import { COMMANDS } from './commands';
import { CliError, commandHelp, parseCommandArgs, EXIT_USAGE, type CliIO } from './command';
import { installInterruptHandlers } from './interrupt';
import { escapeControls } from '../core/text';
import { SERVER_VERSION } from '../core/version';

export async function runCli(argv: string[], rawIO: CliIO): Promise<number> {
  const io = terminalSafe(rawIO);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.out(target ? commandHelp(target) : mainHelp());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`flowmage ${SERVER_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`flowmage: unknown command "${name}"; run flowmage --help\n`);
    return EXIT_USAGE;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values.help) {
      io.out(commandHelp(command));
      return 0;
    }
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`flowmage: ${err.message}\n`);
      return err.exitCode;
    }
    io.err(`flowmage: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (io.env.FLOWMAGE_DEBUG) io.err(`${(err as Error)?.stack ?? ''}\n`);
    return EXIT_USAGE;
  }
}

/**
 * Text output quotes file content (element names, messages, diffs): control characters in it are
 * escaped so a file cannot drive the terminal. Only `data` (a configuration to redirect) is raw.
 */
function terminalSafe(io: CliIO): CliIO {
  return { ...io, out: (t) => io.out(escapeControls(t)), err: (t) => io.err(escapeControls(t)), data: io.data ?? ((t) => io.out(t)) };
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 8);
  return [
    `flowmage ${SERVER_VERSION}: flow-state analysis and RSS optimization for FastClick configurations`,
    '',
    'usage: flowmage <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --help and --json. Exit codes: 0 ok, 1 the input has problems, 2 usage or I/O error.',
    '',
  ].join('\n');
}

/**
 * `flowmage ... | head`: once the reader is gone, writing to stdout fails with EPIPE. That is not an
 * error of ours; stop quietly, with success.
 */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') exit(0);
    else {
      process.stderr.write(`flowmage: cannot write output: ${err.message}\n`);
      exit(EXIT_USAGE);
    }
  });
}

if (require.main === module) {
  exitQuietlyOnClosedPipe(process.stdout, (code) => process.exit(code));
  // A closed stderr leaves nowhere to report to: ignore its errors rather than crash.
  process.stderr.on('error', () => undefined);
  const io: CliIO = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
  };
  installInterruptHandlers(io.err);
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`flowmage: ${String(err)}\n`);
      process.exitCode = EXIT_USAGE;
    },
  );
}
