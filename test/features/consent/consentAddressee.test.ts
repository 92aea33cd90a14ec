import { type TeamsUser } from '../../harness/activities';
import { cardText } from '../../harness/cards';
import { shownCard } from '../../harness/teamsClient';
import { useCloudHarness } from '../../harness/useHarness';
import { teamsUserOf } from '../../harness/chat';

const shown = shownCard;

describe('a consent request addressed to a UPN that could not be resolved', () => {
  const { cloud, h } = useCloudHarness();

  test('only a person whose Entra UPN matches may report consent; others are refused privately', async () => {
    const tenant = cloud.addTenant({ displayName: 'Adatum' });
    const sp = tenant.sharePointAdmin!;
    const requester: TeamsUser = teamsUserOf(sp);
    const client = h.chat(requester, 'personal', tenant.id);
    const started = await client.say('connect office365');
    const id = String(started.replies[0].id);
    let turn = await client.click(shown(started), 'Next', { displayName: 'Adatum destination' }, id);
    turn = await client.click(shown(turn), 'Next', { cloud: 'global', upn: sp.userPrincipalName }, id);
    for (let step = 1; step <= 4; step++) turn = await client.click(shown(turn), 'Next', {}, id);
    turn = await client.click(shown(turn), 'I am a SharePoint admin: hand over', {}, id);
    const domain = sp.userPrincipalName.split('@')[1];
    const ghostUpn = `new.admin@${domain}`;
    turn = await client.click(shown(turn), 'Send the consent request', { adminUpn: ghostUpn }, id);
    expect(cardText(shown(turn))).toContain(`I could not find ${ghostUpn}`);
    const [connector] = (await h.bot.store.connectors.list(tenant.id)).items;
    expect(connector.consent).toMatchObject({ requestedFromUpn: ghostUpn });
    expect(connector.consent?.requestedFromId).toBeUndefined();

    // Someone else of the tenant, known to Teams with another UPN, forges the button's submit.
    const mallory: TeamsUser = {
      id: '29:mallory',
      name: 'Mallory',
      aadObjectId: '0b0b0b0b-0000-4000-8000-000000000001',
      upn: `mallory@${domain}`,
    };
    h.standIn.addMember({
      id: mallory.id,
      name: mallory.name,
      aadObjectId: mallory.aadObjectId,
      userPrincipalName: mallory.upn,
    });
    const malloryChat = h.chat(mallory, 'personal', tenant.id);
    const forged = await malloryChat.submitRaw({ verb: 'consentGranted', connectorId: connector.id });
    expect(forged.replies.map((r) => r.text)).toEqual([
      `Only ${ghostUpn} can report this consent. Nothing was changed.`,
    ]);
    // Someone neither Teams nor Entra can name is refused too.
    const stranger: TeamsUser = {
      id: '29:stranger',
      name: 'Stranger',
      aadObjectId: '0b0b0b0b-0000-4000-8000-000000000003',
      upn: '',
    };
    const strangerChat = h.chat(stranger, 'personal', tenant.id);
    const unknown = await strangerChat.submitRaw({ verb: 'consentGranted', connectorId: connector.id });
    expect(String(unknown.replies[0].text)).toContain(`Only ${ghostUpn} can report this consent`);
    expect((await h.bot.store.connectors.get(tenant.id, connector.id))?.status).toBe('awaiting-consent');
    expect(h.bot.logs.some((l) => l.msg === 'consent reported by someone it was not sent to')).toBe(true);

    // The person the request was addressed to, once Teams knows them, may report it.
    const ghost: TeamsUser = {
      id: '29:new-admin',
      name: 'New Admin',
      aadObjectId: '0b0b0b0b-0000-4000-8000-000000000002',
      upn: ghostUpn,
    };
    h.standIn.addMember({
      id: ghost.id,
      name: ghost.name,
      aadObjectId: ghost.aadObjectId,
      userPrincipalName: ghostUpn.toUpperCase(),
    });
    const ghostChat = h.chat(ghost, 'personal', tenant.id);
    const granted = await ghostChat.submitRaw({ verb: 'consentGranted', connectorId: connector.id });
    expect(
      granted.replies.some((r) =>
        String(r.text).startsWith('Thank you: admin consent for Adatum destination is verified'),
      ),
    ).toBe(true);
    expect((await h.bot.store.connectors.get(tenant.id, connector.id))?.status).toBe('authorized');
  });
});
