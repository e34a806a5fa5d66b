// Leveled logging for the core. The core never writes to stdout (the LSP may be speaking on it);
// adapters decide where lines go: the LSP connection's console, or stderr in the CLI.

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

export type LogSink = (level: LogLevel, message: string) => void;

/** A logger that drops messages below `level()`; the level is read on every call so it can change live. */
export function createLogger(sink: LogSink, level: () => LogLevel): Logger {
  const enabled = (l: LogLevel) => LOG_LEVELS.indexOf(l) <= LOG_LEVELS.indexOf(level());
  const at = (l: LogLevel) => (message: string) => {
    if (enabled(l)) sink(l, message);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** Formats an unknown thrown value for a log line without dumping objects. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
