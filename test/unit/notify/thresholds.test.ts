import { dueThreshold, nextThreshold } from '../../../src/notify/thresholds';
import { daysUntilExpiry, expiresAt } from '../../../src/connectors/connector';

const DAYS = [30, 14, 7, 1];

describe('expiry arithmetic', () => {
  test.each([
    [31, undefined],
    [30, 30],
    [15, 30],
    [14, 14],
    [8, 14],
    [7, 7],
    [2, 7],
    [1, 1],
    [0, 1],
  ])('%d days left: the %s-day notice is due', (daysLeft, expected) => {
    expect(dueThreshold(daysLeft, DAYS)).toBe(expected);
  });

  test('several thresholds crossed at once give only the latest', () => {
    expect(dueThreshold(3, DAYS)).toBe(7);
  });

  test('a snooze suppresses the threshold after the current one', () => {
    expect(nextThreshold(30, DAYS)).toBe(14);
    expect(nextThreshold(7, DAYS)).toBe(1);
    expect(nextThreshold(1, DAYS)).toBeUndefined();
  });

  test('the clock starts at the later of the last transfer and the authorization, and runs 90 days', () => {
    const c = { authorizedAt: '2026-01-01T00:00:00.000Z', lastTransferAt: '2026-02-01T00:00:00.000Z' };
    expect(expiresAt(c, 90)?.toISOString()).toBe('2026-05-02T00:00:00.000Z');
    const reauthorized = {
      authorizedAt: '2026-03-01T00:00:00.000Z',
      lastTransferAt: '2026-02-01T00:00:00.000Z',
    };
    expect(expiresAt(reauthorized, 90)?.toISOString()).toBe('2026-05-30T00:00:00.000Z');
    expect(daysUntilExpiry(c, 90, new Date('2026-05-01T12:00:00.000Z'))).toBe(1);
    expect(daysUntilExpiry(c, 90, new Date('2026-06-01T00:00:00.000Z'))).toBe(0);
    expect(expiresAt({}, 90)).toBeUndefined();
  });
});
