import { inspect } from 'node:util';
import type { LogLevel } from './logger';
import type { Logger } from './logger';

type ConsoleMethod = 'error' | 'warn' | 'info' | 'log' | 'debug' | 'trace';

/**
 * Levels for what libraries print. botbuilder prints every refused token with console.error
 * (with a stack, or the whole signing key); a refused token is the caller's fault, not the
 * bot's, so it is a warning.
 */
const LEVEL_OF: Record<ConsoleMethod, LogLevel> = {
  error: 'warn',
  warn: 'warn',
  info: 'info',
  log: 'info',
  debug: 'debug',
  trace: 'debug',
};

/** Longest text kept from one console call. */
const MAX_TEXT = 500;

function describe(arg: unknown): string {
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  if (typeof arg === 'string') return arg;
  return inspect(arg, { breakLength: Infinity, depth: 2 });
}

/** One console call as one line: errors by name and message (no stack), the first line only. */
export function consoleLine(args: unknown[]): string {
  const text = args.map(describe).join(' ');
  const first = text.split(/\r?\n/)[0].trim();
  return first.length > MAX_TEXT ? `${first.slice(0, MAX_TEXT)}…` : first;
}

/**
 * Sends what libraries (botbuilder, botframework-connector) write with `console.*` through the
 * JSON logger as one line each, so that the bot's output stays one JSON object per line.
 * Returns a function that puts the original methods back.
 */
export function routeConsoleToLogger(logger: Logger, target: Console = console): () => void {
  const methods = Object.keys(LEVEL_OF) as ConsoleMethod[];
  const originals = methods.map((m) => [m, target[m]] as const);
  for (const method of methods) {
    target[method] = (...args: unknown[]) =>
      logger[LEVEL_OF[method]]('library console output', {
        source: `console.${method}`,
        text: consoleLine(args),
      });
  }
  return () => {
    for (const [method, original] of originals) target[method] = original;
  };
}
