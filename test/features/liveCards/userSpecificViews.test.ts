import { randomUUID } from 'node:crypto';
import { channel, makeUser, personalChat, type TeamsUser } from '../../harness/activities';
import { actionTitles, cardText, type Card } from '../../harness/cards';
import { answerError, shownCard, TeamsClient } from '../../harness/teamsClient';
import { useCloudHarness, useHarness } from '../../harness/useHarness';
import { aConnector } from '../../support/builders';
import { seedConnectors } from '../../support/connectorFixtures';
import { expectValidCard } from '../../support/cardValidation';
import { reply } from '../../support/fakeMicrosoftCloud';
import { DELETE_VERB } from '../../../src/bot/features/connectors/manageConnector';
import { CARD_DATA_VERSION } from '../../../src/cards/universalActions';

const ADMIN_GROUP = 'a11dcafe-0000-4000-8000-0000000000b2';
const ASK_STATUS =
  'Ask the owner: Megan Bowen, who created it, or a member of the connector admins group to reauthorize it, record a transfer or delete it.';
const MANAGING = ['Reauthorize', 'Record a transfer', 'Delete'];

/**
 * A Teams user whose Teams id is opaque, as Teams makes it: nothing of the Entra id shows, so a
 * card can only name them by an id the bot was sent.
 */
function teamsPerson(name: string): TeamsUser {
  const user = makeUser(name, `${name.split(' ')[0].toLowerCase()}@contoso.onmicrosoft.com`);
  return { ...user, id: `29:1${randomUUID().replace(/-/g, '')}Qx` };
}

function userIdsOf(card: Card): string[] | undefined {
  return (card.refresh as { userIds?: string[] }).userIds;
}

describe('user-specific views of the connector list and status cards', () => {
  const { cloud, h } = useCloudHarness({ env: { ADMIN_GROUP_ID: ADMIN_GROUP } });
  const creator = teamsPerson('Megan Bowen');
  const admin = teamsPerson('Adele Admin');
  const member = teamsPerson('Lee Gu');

  /** A tenant whose admin group holds `admin` (and `more` others); Graph answers membership checks. */
  function tenantWithAdmins(more: string[] = []) {
    const tenant = cloud.addTenant({ displayName: 'Contoso' });
    for (const id of [admin.aadObjectId, ...more]) tenant.addUser({ id });
    tenant.addGroup('Connector admins', [admin.aadObjectId, ...more]).id = ADMIN_GROUP;
    cloud.graph.on('POST', '/directoryObjects/{id}/checkMemberGroups', (req) =>
      reply(200, { value: req.path.includes(admin.aadObjectId) ? [ADMIN_GROUP] : [] }),
    );
    return tenant;
  }

  async function seedBox(tenantId: string, name: string) {
    const [c] = await seedConnectors(h.bot.store, [
      aConnector(tenantId).named(name).ofType('box').ownedBy(creator).build(),
    ]);
    return c;
  }

  async function snapshot(tenantId: string) {
    const connectors = await h.bot.store.connectors.list(tenantId, { limit: 100 });
    const audit = await h.bot.store.audit.list(tenantId, { limit: 500 });
    return JSON.stringify({ connectors: connectors.items, audit: audit.length });
  }

  test('in a channel the posted status card is read-only; managers’ clients refresh into the buttons, others keep Ask the owner and Refresh', async () => {
    const tenant = tenantWithAdmins();
    await seedBox(tenant.id, 'Team Box');
    // The admin has talked to the bot in their 1:1, so it knows their Teams id.
    await new TeamsClient(h.bot.url, h.standIn, admin, personalChat(tenant.id, admin)).say('help');
    const room = channel(tenant.id);
    const creatorInRoom = new TeamsClient(h.bot.url, h.standIn, creator, room);
    const posted = shownCard(await creatorInRoom.say('status Team Box'));

    expect(actionTitles(posted)).toEqual(['Refresh']);
    expect(cardText(posted)).toContain(ASK_STATUS);
    expect(userIdsOf(posted)).toEqual([creator.id, admin.id]);

    const before = await snapshot(tenant.id);
    for (const manager of [creator, admin]) {
      const view = shownCard((await creatorInRoom.as(manager).open(posted))!);
      expect(actionTitles(view)).toEqual(MANAGING);
      expect(cardText(view)).not.toContain('Ask the owner');
    }
    // Teams does not refresh the card for a member who is not listed; their Refresh keeps it read-only.
    expect(await creatorInRoom.as(member).open(posted)).toBeUndefined();
    const memberView = shownCard(await creatorInRoom.as(member).click(posted, 'Refresh'));
    expect(actionTitles(memberView)).toEqual(['Refresh']);
    expect(cardText(memberView)).toContain(ASK_STATUS);
    expect(await snapshot(tenant.id)).toBe(before);
  });

  test('in a channel the posted connector list is read-only; a manager’s refresh adds Reauthorize and Delete to their rows', async () => {
    const tenant = tenantWithAdmins();
    await seedBox(tenant.id, 'Listed Box');
    const creatorInRoom = new TeamsClient(h.bot.url, h.standIn, creator, channel(tenant.id));
    const posted = shownCard(await creatorInRoom.say('connectors'));
    expect(actionTitles(posted)).toEqual(['Status', 'Refresh']);
    expect(cardText(posted)).toContain(
      'Ask the owner: Megan Bowen, who created it, or a member of the connector admins group to reauthorize or delete it.',
    );
    expect(userIdsOf(posted)).toEqual([creator.id]);

    const creatorView = shownCard((await creatorInRoom.open(posted))!);
    expectValidCard(creatorView);
    expect(actionTitles(creatorView)).toEqual(['Status', 'Reauthorize', 'Delete']);
    const memberView = shownCard(await creatorInRoom.as(member).click(posted, 'Refresh'));
    expect(actionTitles(memberView)).toEqual(['Status', 'Refresh']);
    expect(cardText(memberView)).toContain('Ask the owner: Megan Bowen');
  });

  test('a non-manager’s forged Delete is refused to them alone and changes nothing', async () => {
    const tenant = tenantWithAdmins();
    const c = await seedBox(tenant.id, 'Guarded Box');
    const creatorInRoom = new TeamsClient(h.bot.url, h.standIn, creator, channel(tenant.id));
    const posted = shownCard(await creatorInRoom.say('status Guarded Box'));
    const creatorView = shownCard((await creatorInRoom.open(posted))!);
    const memberInRoom = creatorInRoom.as(member);
    const before = await snapshot(tenant.id);

    const clicked = await memberInRoom.click(creatorView, 'Delete');
    expect(answerError(clicked)?.statusCode).toBe(403);
    expect(answerError(clicked)?.message).toContain('Only Megan Bowen, who created it');
    expect(clicked.replies).toHaveLength(0);
    const confirmed = await memberInRoom.executeRaw(DELETE_VERB, {
      cardVersion: CARD_DATA_VERSION,
      connectorId: c.id,
      version: c.version,
      confirm: true,
    });
    expect(answerError(confirmed)?.statusCode).toBe(403);
    expect(confirmed.replies).toHaveLength(0);
    expect(await snapshot(tenant.id)).toBe(before);
    expect((await h.bot.store.connectors.get(tenant.id, c.id))?.version).toBe(c.version);
  });

  test('a non-manager’s forged Reauthorize is refused to them alone and starts no wizard', async () => {
    const tenant = tenantWithAdmins();
    await seedBox(tenant.id, 'Guarded Box');
    const creatorInRoom = new TeamsClient(h.bot.url, h.standIn, creator, channel(tenant.id));
    const posted = shownCard(await creatorInRoom.say('status Guarded Box'));
    const creatorView = shownCard((await creatorInRoom.open(posted))!);
    const before = await snapshot(tenant.id);

    const clicked = await creatorInRoom.as(member).click(creatorView, 'Reauthorize');
    expect(answerError(clicked)?.statusCode).toBe(403);
    expect(answerError(clicked)?.message).toContain('Only Megan Bowen, who created it');
    expect(clicked.replies).toHaveLength(0);
    expect(await snapshot(tenant.id)).toBe(before);
  });

  test('refresh.userIds names at most 60 people, by the Teams ids the bot was sent, and leaves out those it never saw', async () => {
    const group = Array.from({ length: 75 }, () => randomUUID());
    const tenant = tenantWithAdmins(group);
    await seedBox(tenant.id, 'Popular Box');
    // 70 of the admins have a 1:1 with the bot (stored with their Teams id); 5 never used it.
    const teamsIds = new Map(group.slice(0, 70).map((aad) => [aad, `29:1${randomUUID()}`]));
    for (const [aad, teamsId] of teamsIds) {
      await h.bot.store.conversations.upsert({
        tenantId: tenant.id,
        conversationId: `a:1${aad}`,
        conversationType: 'personal',
        reference: { user: { id: teamsId, name: 'Admin', aadObjectId: aad } } as never,
        userId: aad,
        updatedAt: h.bot.clock.now().toISOString(),
      });
    }
    const creatorInRoom = new TeamsClient(h.bot.url, h.standIn, creator, channel(tenant.id));
    const posted = shownCard(await creatorInRoom.say('status Popular Box'));
    const ids = userIdsOf(posted)!;
    expect(ids).toHaveLength(60);
    expect(ids[0]).toBe(creator.id);
    expect(new Set(ids).size).toBe(60);
    const known = new Set([creator.id, admin.id, ...teamsIds.values()]);
    expect(ids.every((id) => known.has(id))).toBe(true);
    expect(ids.some((id) => id.startsWith('8:orgid:'))).toBe(false);
  });

  test('in a personal chat the card is the reader’s own: the creator gets the buttons, someone else the read-only view', async () => {
    const tenant = tenantWithAdmins();
    await seedBox(tenant.id, 'Own Box');
    const mine = shownCard(
      await new TeamsClient(h.bot.url, h.standIn, creator, personalChat(tenant.id, creator)).say(
        'status Own Box',
      ),
    );
    expect(actionTitles(mine)).toEqual(MANAGING);
    expect(userIdsOf(mine)).toEqual([creator.id]);
    const theirs = shownCard(
      await new TeamsClient(h.bot.url, h.standIn, member, personalChat(tenant.id, member)).say(
        'status Own Box',
      ),
    );
    expect(actionTitles(theirs)).toEqual(['Refresh']);
    expect(cardText(theirs)).toContain(ASK_STATUS);
    expect(userIdsOf(theirs)).toEqual([member.id]);
  });
});

describe('a connector anyone of the tenant may manage (imported, no ADMIN_GROUP_ID)', () => {
  const { h } = useHarness();
  const TENANT = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';

  test('its posted card names nobody, so every member’s client refreshes it into the buttons', async () => {
    await seedConnectors(h.bot.store, [aConnector(TENANT).named('Imported Box').ofType('box').build()]);
    const room = new TeamsClient(h.bot.url, h.standIn, teamsPerson('Megan Bowen'), channel(TENANT));
    const posted = shownCard(await room.say('status Imported Box'));
    expect(actionTitles(posted)).toEqual(['Refresh']);
    expect(posted.refresh).not.toHaveProperty('userIds');
    const anyone = shownCard((await room.as(teamsPerson('Lee Gu')).open(posted))!);
    expect(actionTitles(anyone)).toEqual(MANAGING);
  });
});
