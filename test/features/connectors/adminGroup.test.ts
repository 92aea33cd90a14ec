import { makeUser } from '../../harness/activities';
import { cardOf, cardText } from '../../harness/cards';
import { seedConnectors } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { reply } from '../../support/fakeMicrosoftCloud';
import { useCloudHarness } from '../../harness/useHarness';

const ADMIN_GROUP = 'a11dcafe-0000-4000-8000-000000000001';

describe('members of ADMIN_GROUP_ID', () => {
  const { cloud, h } = useCloudHarness({ env: { ADMIN_GROUP_ID: ADMIN_GROUP } });

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
      aConnector(tenant.id).named('Team Box').ofType('box').ownedBy(creator).build(),
    ]);
    const outsiderChat = h.chat(outsider, 'personal', tenant.id);
    const refused = await outsiderChat.say('delete team box');
    // Compared whole, so that a failure shows every activity the turn sent (CI once saw a first
    // reply without text here, which did not reproduce).
    expect(
      refused.replies.map((r) => ({
        type: r.type,
        text: r.text,
        attachments: (r.attachments as { contentType?: string }[] | undefined)?.map((a) => a.contentType),
      })),
    ).toEqual([
      expect.objectContaining({
        type: 'message',
        text: expect.stringContaining(
          'Only Creator, who created it, or a member of the connector admins group',
        ),
      }),
    ]);

    const memberChat = h.chat(groupMember, 'personal', tenant.id);
    const ask = await memberChat.say('delete team box');
    expect(cardText(cardOf(ask.replies[0]))).toContain('permanent and cannot be reversed');
    const before = cloud.graph.requestsTo('/directoryObjects/{id}/checkMemberGroups').length;
    await memberChat.say('transfer team box');
    // The membership answer is cached for minutes.
    expect(cloud.graph.requestsTo('/directoryObjects/{id}/checkMemberGroups').length).toBe(before);
  });

  test('a turn that waits over a second on Graph sends its reply and no stray typing indicator', async () => {
    const tenant = cloud.addTenant({ displayName: 'Slow Graph' });
    const creator = makeUser('Creator');
    const outsider = makeUser('Outsider');
    // teams-ai starts a typing timer (first beat after 1 s) even with startTypingTimer: false.
    cloud.graph.on('POST', '/directoryObjects/{id}/checkMemberGroups', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return reply(200, { value: [] });
    });
    await seedConnectors(h.bot.store, [
      aConnector(tenant.id).named('Slow Box').ofType('box').ownedBy(creator).build(),
    ]);
    const refused = await h.chat(outsider, 'personal', tenant.id).say('delete slow box');
    expect(refused.replies.map((r) => r.type)).toEqual(['message']);
    expect(refused.replies[0].text).toContain('Only Creator, who created it');
  });
});
