import { createLogger } from '../../../src/util/logger';

function captured() {
  const lines: string[] = [];
  const logger = createLogger('debug', (line) => lines.push(line));
  return { logger, lines, last: () => JSON.parse(lines.at(-1)!) as Record<string, unknown> };
}

describe('the JSON-lines logger', () => {
  test('an error is written as its name, message, code and status, at the top level and nested', () => {
    const { logger, last } = captured();
    const err = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    logger.error('send failed', { error: err, info: { cause: new TypeError('bad') } });
    expect(last()).toMatchObject({
      level: 'error',
      msg: 'send failed',
      error: { name: 'Error', message: 'socket hang up', code: 'ECONNRESET' },
      info: { cause: { name: 'TypeError', message: 'bad' } },
    });
  });

  test('a cycle or a BigInt in the fields still makes one line, and the call does not throw', () => {
    const { logger, lines, last } = captured();
    const reason: Record<string, unknown> = { what: 'rejected' };
    reason.self = reason;
    expect(() => logger.error('unhandled rejection', { reason, size: 10n })).not.toThrow();
    expect(lines).toHaveLength(1);
    expect(last()).toMatchObject({
      msg: 'unhandled rejection',
      reason: { what: 'rejected', self: '[Circular]' },
    });
    expect(last().size).toBe('10');
  });

  test('a field whose getter throws leaves the line with its message and a note', () => {
    const { logger, last } = captured();
    const hostile = {
      get secret(): string {
        throw new Error('no reading this');
      },
    };
    expect(() => logger.warn('odd value', { hostile })).not.toThrow();
    expect(last()).toMatchObject({
      level: 'warn',
      msg: 'odd value',
      logError: 'fields could not be written: no reading this',
    });
  });

  test('a top-level field whose getter throws, or such a child field, still makes one line and never throws', () => {
    const { logger, lines, last } = captured();
    const fields = Object.defineProperty({}, 'secret', {
      enumerable: true,
      get(): string {
        throw new Error('no reading this');
      },
    });
    expect(() => logger.error('odd top-level field', fields)).not.toThrow();
    expect(last()).toMatchObject({
      level: 'error',
      msg: 'odd top-level field',
      logError: 'fields could not be written: no reading this',
    });
    expect(() => logger.child(fields).warn('from a child')).not.toThrow();
    expect(last()).toMatchObject({ level: 'warn', msg: 'from a child' });
    expect(lines).toHaveLength(2);
  });

  test('below the threshold nothing is written; a child carries its fields', () => {
    const lines: string[] = [];
    const logger = createLogger('warn', (line) => lines.push(line));
    logger.info('quiet');
    logger.child({ tenantId: 't1' }).warn('loud');
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ msg: 'loud', tenantId: 't1' }),
    ]);
  });
});
