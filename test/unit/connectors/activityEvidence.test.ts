import { suggestedTransferAt } from '../../../src/connectors/activityEvidence';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const base = {
  status: 'authorized' as const,
  createdAt: '2025-12-01T09:00:00.000Z',
  authorizedAt: '2026-01-05T09:00:00.000Z',
  lastTransferAt: undefined as string | undefined,
};

describe('a transfer suggested by outside evidence of use', () => {
  test('more than 7 days after the clock started: the evidence time', () => {
    const seen = new Date('2026-01-12T09:00:01.000Z');
    expect(suggestedTransferAt(base, seen, NOW)).toEqual(seen);
  });

  test('within 7 days of the clock start (the last transfer or the authorization): nothing', () => {
    expect(suggestedTransferAt(base, new Date('2026-01-12T09:00:00.000Z'), NOW)).toBeUndefined();
    const transferred = { ...base, lastTransferAt: '2026-02-20T09:00:00.000Z' };
    expect(suggestedTransferAt(transferred, new Date('2026-02-25T09:00:00.000Z'), NOW)).toBeUndefined();
  });

  test('never for a connector that is not authorized, a time in the future or before the connector existed', () => {
    const seen = new Date('2026-02-25T09:00:00.000Z');
    expect(suggestedTransferAt({ ...base, status: 'deauthorized' }, seen, NOW)).toBeUndefined();
    expect(suggestedTransferAt({ ...base, status: 'awaiting-consent' }, seen, NOW)).toBeUndefined();
    expect(suggestedTransferAt(base, new Date('2026-03-03T09:00:00.000Z'), NOW)).toBeUndefined();
    expect(
      suggestedTransferAt({ ...base, createdAt: '2026-02-26T00:00:00.000Z' }, seen, NOW),
    ).toBeUndefined();
    expect(suggestedTransferAt(base, new Date('not a date'), NOW)).toBeUndefined();
  });
});
