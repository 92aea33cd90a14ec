import { connectorRecord } from '../../support/connectorFixtures';
import { deauthorizedView } from '../../../src/notify/deauthorizedView';
import { digestView, type DigestEntry } from '../../../src/notify/digestView';
import { UTC_DATES } from '../../../src/util/dates';
import type { Connector } from '../../../src/connectors/connector';

const TENANT = '5c5c5c5c-5c5c-4c5c-8c5c-5c5c5c5c5c5c';
const NOW = new Date('2026-06-01T09:00:00.000Z');
const refresh = { verb: 'refresh', userIds: [] };

function digestOf(entries: DigestEntry[], hidden: number, refreshed: boolean, inactivityDays = 90) {
  return digestView(entries, {
    inactivityDays,
    noticeDays: [30, 14, 7, 1],
    now: NOW,
    dates: UTC_DATES,
    viewer: { canManage: () => true, owner: () => 'Ask the owner' },
    refresh,
    hidden,
    refreshed,
  });
}

function deauthorizedOf(connector: Connector) {
  return deauthorizedView(connector.id, connector, undefined, {
    inactivityDays: 90,
    now: NOW,
    dates: UTC_DATES,
    canManage: true,
    owner: 'Ask the owner',
    refresh,
    refreshed: true,
  });
}

describe('who reauthorized a connector, on the notices', () => {
  // Imported through the management API: no person, so no display name is stored.
  const reauthorized = connectorRecord({
    tenantId: TENANT,
    displayName: 'Box legal',
    authorizedAt: '2026-05-30T09:00:00.000Z',
    provenance: { kind: 'reported', by: 'api', at: '2026-05-30T09:00:00.000Z' },
  });

  test('the deauthorization notice names the reporter in words, as reported', () => {
    expect(deauthorizedOf(reauthorized).text).toBe(
      'Reauthorization reported by the management API (import) on 2026-05-30 09:00 UTC, not verified.',
    );
  });

  test('the digest row names the reporter in words, as reported', () => {
    const [row] = digestOf(
      [
        {
          id: reauthorized.id,
          periodStart: '2026-03-01T09:00:00.000Z',
          threshold: 30,
          connector: reauthorized,
        },
      ],
      0,
      true,
    ).rows;
    expect(row.detail).toMatch(
      /^Reauthorization reported by the management API \(import\) on 2026-05-30 09:00 UTC, not verified\. /,
    );
  });
});

describe('what the notices say about transfers: only those recorded through the bot', () => {
  const never = connectorRecord({
    tenantId: TENANT,
    displayName: 'Quiet Box',
    authorizedAt: '2026-04-01T09:00:00.000Z',
  });

  test('a connector with no recorded transfer reads "none recorded here", not "never"', () => {
    const [row] = digestOf(
      [{ id: never.id, periodStart: never.authorizedAt!, threshold: 30, connector: never }],
      0,
      true,
    ).rows;
    expect(row.detail).toContain('last recorded transfer: none recorded here');
    expect(row.detail).not.toContain('never');
    const deauthorized = { ...never, status: 'deauthorized' as const };
    expect(deauthorizedOf(deauthorized).facts).toContainEqual({
      title: 'Last recorded transfer',
      value: 'none recorded here',
    });
  });

  test('a lapsed row says the configured days with no recorded transfer ran out', () => {
    const lapsed = { ...never, status: 'deauthorized' as const, authorizedAt: '2026-01-01T09:00:00.000Z' };
    const [row] = digestOf(
      [{ id: lapsed.id, periodStart: lapsed.authorizedAt, threshold: 7, connector: lapsed }],
      0,
      true,
      60,
    ).rows;
    expect(row.detail).toMatch(
      /^Deauthorized: 60 days with no recorded transfer ran out on 2026-03-02 09:00 UTC\. /,
    );
  });
});

describe('the digest title counts what it can vouch for', () => {
  const due = connectorRecord({
    tenantId: TENANT,
    displayName: 'Due Box',
    authorizedAt: '2026-03-10T09:00:00.000Z',
  });
  const entries = [{ id: due.id, periodStart: due.authorizedAt!, threshold: 7, connector: due }];

  test('as posted: the listed and the hidden notices', () => {
    const posted = digestOf(entries, 5, false);
    expect(posted.title).toBe('6 connectors expire soon');
    expect(posted.more).toBe('…and 5 more. Type connectors to see them all.');
  });

  test('refreshed: the shown rows it read, and says the hidden ones were not checked', () => {
    const refreshed = digestOf(entries, 5, true);
    expect(refreshed.title).toBe('Expiry notice: 1 of the 1 shown here still expires soon');
    expect(refreshed.more).toContain('…and 5 more that this card could not list, not checked again here.');
    const allMoved = digestOf([{ ...entries[0], connector: undefined }], 5, true);
    expect(allMoved.title).toBe('Expiry notice: none of the 1 shown here is still counting down');
  });

  test('refreshed with nothing hidden: as before', () => {
    expect(digestOf(entries, 0, true).title).toBe('Expiry notice: 1 connector still expires soon');
    expect(digestOf(entries, 0, true).more).toBe('');
  });
});
