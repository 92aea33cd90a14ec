import { connectorRecord } from '../../support/connectorFixtures';
import { deauthorizedView } from '../../../src/notify/deauthorizedView';
import { digestView, type DigestEntry } from '../../../src/notify/digestView';
import { UTC_DATES } from '../../../src/util/dates';
import type { Connector } from '../../../src/connectors/connector';

const TENANT = '5c5c5c5c-5c5c-4c5c-8c5c-5c5c5c5c5c5c';
const NOW = new Date('2026-06-01T09:00:00.000Z');
const refresh = { verb: 'refresh', userIds: [] };

function digestOf(entries: DigestEntry[], hidden: number, refreshed: boolean) {
  return digestView(entries, {
    inactivityDays: 90,
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
