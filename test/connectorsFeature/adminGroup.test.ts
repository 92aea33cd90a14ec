import { makeUser, personalChat } from '../harness/activities';
import { cardOf, cardText } from '../harness/cards';
import { startHarness } from '../harness/testBot';
import { TeamsClient } from '../harness/teamsClient';
import { connectorRecord, seedConnectors } from '../support/connectorFixtures';
import { reply, startFakeMicrosoftCloud, type FakeMicrosoftCloud } from '../support/fakeMicrosoftCloud';

const ADMIN_GROUP = 'a11dcafe-0000-4000-8000-000000000001';

describe('members of ADMIN_GROUP_ID', () => {
  let cloud: FakeMicrosoftCloud;
  let h: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    cloud = await startFakeMicrosoftCloud();
    h = await startHarness({ cloud, env: { ADMIN_GROUP_ID: ADMIN_GROUP } });
  });
  afterAll(async () => {
    await h.stop();
    await cloud.stop();
  });

  test('may manage any connector of their tenant, checked with Graph and cached; others are told who can', async () => {
    const tenant = cloud.addTenant({ displayName: 'Adatum' });
    const creator = makeUser('Creator');
    const groupMember = makeUser('Group Member');
    const outsider = makeUser('Outsider');
    cloud.graph.on('POST', '/directoryObjects/{id}/checkMemberGroups', (req) => {
      const member = req.path.includes(groupMember.aadObjectId);
      return reply(200, { value: member ? [ADMIN_GROUP] : [] });
    });
    await seedConnectors(h.bot.store, [
      connectorRecord({
        tenantId: tenant.id,
        displayName: 'Team Box',
        type: 'box',
        createdBy: creator.aadObjectId,
        createdByName: creator.name,
      }),
    ]);
    const outsiderChat = new TeamsClient(h.bot.url, h.standIn, outsider, personalChat(tenant.id, outsider));
    const refused = await outsiderChat.say('delete team box');
    expect(refused.replies[0].text).toContain(
      'Only Creator, who created it, or a member of the connector admins group',
    );

    const memberChat = new TeamsClient(
      h.bot.url,
      h.standIn,
      groupMember,
      personalChat(tenant.id, groupMember),
    );
    const ask = await memberChat.say('delete team box');
    expect(cardText(cardOf(ask.replies[0]))).toContain('permanent and cannot be reversed');
    const before = cloud.graph.requestsTo('/directoryObjects/{id}/checkMemberGroups').length;
    await memberChat.say('transfer team box');
    // The membership answer is cached for minutes.
    expect(cloud.graph.requestsTo('/directoryObjects/{id}/checkMemberGroups').length).toBe(before);
  });
});
