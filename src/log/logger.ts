/**
 * Structured logs: one JSON object per line on stdout, which Fn and OCI Functions collect.
 * Callers pass values that are already safe to log (masked phones, no message text, no secrets).
 */

export const LogLevel = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevelName = keyof typeof LogLevel;

export type LogValue = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: LogLevelName;
  /** @default a line on stdout */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
  /** Fields computed per line (e.g. the active trace and span ids); fixed fields win over them. */
  readonly dynamic?: () => LogFields;
}

export function createLogger(options: LoggerOptions = {}, base: LogFields = {}): Logger {
  const threshold = LogLevel[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const emit = (level: LogLevelName, message: string, fields: LogFields = {}): void => {
    if (LogLevel[level] < threshold) return;
    try {
      write(
        JSON.stringify({
          level,
          time: new Date(now()).toISOString(),
          message,
          ...options.dynamic?.(),
          ...base,
          ...fields,
        }),
      );
    } catch {
      // A log line must never fail the request.
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}
