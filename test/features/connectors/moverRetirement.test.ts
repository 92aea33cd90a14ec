import { makeUser } from '../../harness/activities';
import { actionsOf, cardOf, cardText, type Card } from '../../harness/cards';
import { expectValidCard } from '../../support/cardValidation';
import { CONNECTOR_TYPES, connectorType } from '../../../src/connectors/catalog';
import { useHarness } from '../../harness/useHarness';

const TENANT = '77777777-7777-4777-8777-777777777777';
const TIMELINE = 'https://learn.microsoft.com/sharepointmigration/mover-retirement-timeline';
const CROSS_TENANT_ONEDRIVE =
  'https://learn.microsoft.com/microsoft-365/enterprise/cross-tenant-onedrive-migration';

/** Seeds 001 to 003: what every entry card says about Mover's retirement. */
function expectRetirementNotice(card: Card): void {
  expectValidCard(card);
  const text = cardText(card);
  expect(text).toContain('**Mover is now retired for all admin-led migrations.**');
  expect(text).toContain(
    'The ability to migrate from Google Drive, Box, Dropbox and Egnyte has been fully integrated into Migration Manager.',
  );
  expect(text).toContain(
    'Migration Manager does not support the migration of Amazon S3 or Azure Blob Storage.',
  );
  expect(text).toContain('Cross-tenant OneDrive migration is now available outside of Migration Manager.');
  const links = actionsOf(card).filter((a) => a.type === 'Action.OpenUrl');
  expect(links.map((a) => [a.title, a.url])).toEqual(
    expect.arrayContaining([
      ['Mover retirement timeline', TIMELINE],
      ['Cross-tenant OneDrive migration', CROSS_TENANT_ONEDRIVE],
    ]),
  );
}

describe("Mover's retirement on the welcome, help and picker cards", () => {
  const { h } = useHarness();

  test('the welcome card posted on install', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT);
    const turn = await client.install('add');
    expectRetirementNotice(cardOf(turn.replies[0]));
  });

  test('the help card', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT);
    expectRetirementNotice(cardOf((await client.say('help')).replies[0]));
  });

  test('the connector picker, with where each type is supported today', async () => {
    const user = makeUser();
    const client = h.chat(user, 'personal', TENANT);
    const picker = cardOf((await client.say('connect')).replies[0]);
    expectRetirementNotice(picker);
    const text = cardText(picker);
    for (const type of CONNECTOR_TYPES) {
      expect(text).toContain(`${type.name}: Supported today: ${type.supportText}`);
    }
    expect(text).toContain(
      'Box Connector: Supported today: Migration Manager: migrating from Box has been fully integrated into it.',
    );
    expect(text).toContain(
      'Amazon S3 Connector: Supported today: Migration Manager does not support the migration of Amazon S3',
    );
  });
});

describe('the catalog records where each type is supported today (seeds 001 to 003)', () => {
  test.each(['google-workspace', 'box', 'dropbox', 'egnyte'] as const)('%s: Migration Manager', (id) => {
    expect(connectorType(id).supportToday).toBe('migration-manager');
    expect(connectorType(id).supportText).toMatch(/^Migration Manager: /);
  });

  test.each(['amazon-s3', 'azure-blob'] as const)('%s: not Migration Manager', (id) => {
    expect(connectorType(id).supportToday).toBe('not-migration-manager');
    expect(connectorType(id).supportText).toContain('Migration Manager does not support');
  });

  test('the others say only what the seeds say: Mover is retired, and nothing more is claimed', () => {
    const rest = CONNECTOR_TYPES.filter(
      (t) => !['google-workspace', 'box', 'dropbox', 'egnyte', 'amazon-s3', 'azure-blob'].includes(t.id),
    );
    expect(rest.map((t) => t.id).sort()).toEqual([
      'google-cloud-storage',
      'office365',
      'onedrive-business-user',
      'onedrive-consumer',
    ]);
    for (const type of rest) {
      expect(type.supportToday).toBe('not-stated');
      expect(type.supportText).toContain('Mover is retired for admin-led migrations');
    }
  });
});
