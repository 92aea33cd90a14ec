/** The levels LOG_LEVEL may name, least severe first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** One JSON object per line; the only way the bot writes to its output. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Where log lines go; tests pass an array sink. */
export type LogSink = (line: string) => void;

function serializeError(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    const status = (value as { statusCode?: unknown }).statusCode;
    return { name: value.name, message: value.message, code, status };
  }
  return value;
}

/** JSON.stringify's replacer: errors at any depth as name and message, BigInts as text. */
function loggable(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  return serializeError(value);
}

/** The same, with a second sight of an object (a cycle, or one object twice) as "[Circular]". */
function loggableOnce(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (key, value) => {
    const out = loggable(key, value);
    if (typeof out !== 'object' || out === null) return out;
    if (seen.has(out)) return '[Circular]';
    seen.add(out);
    return out;
  };
}

/**
 * One JSON line for `entry`, whatever its fields hold: a log call must never throw, since many
 * are made in catch blocks and process handlers (an unhandled rejection's reason can be anything).
 */
function logLine(entry: LogFields): string {
  try {
    return JSON.stringify(entry, loggable);
  } catch {
    try {
      return JSON.stringify(entry, loggableOnce());
    } catch (err) {
      return JSON.stringify({
        time: entry.time,
        level: entry.level,
        msg: entry.msg,
        logError: `fields could not be written: ${(err as Error).message}`,
      });
    }
  }
}

/** Creates a JSON-lines logger writing to stdout (or the given sink). */
export function createLogger(
  level: LogLevel = 'info',
  sink: LogSink = (line) => process.stdout.write(line + '\n'),
  base: LogFields = {},
): Logger {
  const threshold = LEVELS[level];
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (LEVELS[lvl] < threshold) return;
    const entry: LogFields = { time: new Date().toISOString(), level: lvl, msg };
    try {
      // Copying runs the fields' getters, which may throw as stringifying them would.
      Object.assign(entry, base, fields);
    } catch (err) {
      entry.logError = `fields could not be written: ${(err as Error).message}`;
      sink(JSON.stringify(entry));
      return;
    }
    sink(logLine(entry));
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => {
      try {
        return createLogger(level, sink, { ...base, ...fields });
      } catch {
        // Fields whose getters throw are left out rather than failing whoever asked for the child.
        return createLogger(level, sink, base);
      }
    },
  };
}
