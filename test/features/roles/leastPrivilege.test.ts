import { actionTitles, cardOf, cardText, inputsOf } from '../../harness/cards';
import type { TeamsClient } from '../../harness/teamsClient';
import { DIRECTORY_ROLES, type FakeTenant } from '../../support/fakeMicrosoftCloud';
import { factsOf, lastReplyCard } from './rolesDriver';
import { shown, turnText } from '../../harness/chat';
import { useCloudHarness } from '../../harness/useHarness';

const EXA = DIRECTORY_ROLES.exchangeAdministrator;
const UA = DIRECTORY_ROLES.userAdministrator;
const WRITE = 'RoleManagement.ReadWrite.Directory';
const SCHEDULE = '/roleManagement/directory/roleAssignmentScheduleRequests';
const PERMANENT = '/roleManagement/directory/roleAssignments';

describe('least privilege: time-bound role assignments, permanent only when confirmed, removal offered', () => {
  // A week instead of the default 30 days: the setting reaches Graph and the cards.
  const { cloud, h } = useCloudHarness({ env: { ROLE_ASSIGNMENT_DAYS: '7' } });
  beforeEach(() => h.standIn.reset());

  const holds = (tenant: FakeTenant, userId: string, roleId: string) =>
    tenant.roleAssignments.find((a) => a.principalId === userId && a.roleDefinitionId === roleId);
  const requestsIn = (tenant: FakeTenant, path: string, method: string) =>
    cloud.graph.requestsTo(path, method).filter((r) => r.tenantId === tenant.id);

  async function openAssign(client: TeamsClient, upn: string) {
    const check = lastReplyCard(await client.say(`roles ${upn} exchange`));
    return lastReplyCard(await client.click(check, 'Assign missing roles'));
  }

  test('with PIM the roles are assigned for ROLE_ASSIGNMENT_DAYS (the card says until when); removing the target offers to remove exactly those roles', async () => {
    const tenant = cloud.addTenant({ displayName: 'Contoso' });
    tenant.grantPermission(WRITE);
    const sp = tenant.sharePointAdmin!;
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = await openAssign(admin, sp.userPrincipalName);
    expect(cardText(card)).toContain('Each role is assigned for 7 days, until 2026-03-09 09:00 UTC');

    const done = shown(await admin.click(card, 'Assign checked roles', { [`role-${UA}`]: 'true' }));
    expect(factsOf(done)).toEqual({
      'Exchange Administrator': 'assigned: for 7 days, until 2026-03-09 09:00 UTC',
      'User Administrator': 'assigned: for 7 days, until 2026-03-09 09:00 UTC',
    });
    expect(holds(tenant, sp.id, EXA)?.endDateTime).toBe('2026-03-09T09:00:00.000Z');
    expect(requestsIn(tenant, PERMANENT, 'POST')).toHaveLength(0);

    // The check passes and defines the target; then it is removed.
    expect(turnText(await admin.say(`roles ${sp.userPrincipalName} exchange`))).toContain('The check passed');
    const list = lastReplyCard(await admin.say('targets'));
    const removed = await admin.click(list, 'Remove');
    const offer = lastReplyCard(removed);
    expect(cardText(offer)).toContain('Remove the roles I assigned to spadmin@contoso.onmicrosoft.com?');
    // SharePoint Administrator was not assigned by the bot: not offered.
    expect(factsOf(offer)).toEqual({
      'Exchange Administrator': 'time-bound, until 2026-03-09 09:00 UTC',
      'User Administrator': 'time-bound, until 2026-03-09 09:00 UTC',
    });
    expect(actionTitles(offer)).toEqual(['Remove these roles']);

    // Only a Global or Privileged Role Administrator may take roles away.
    const refused = await h.chat(tenant.member!, 'personal', tenant).click(offer, 'Remove these roles');
    expect(refused.replies[0].text).toContain(
      'takes a Global Administrator or a Privileged Role Administrator',
    );
    expect(holds(tenant, sp.id, EXA)).toBeDefined();

    const taken = shown(await admin.click(offer, 'Remove these roles'));
    expect(factsOf(taken)).toEqual({ 'Exchange Administrator': 'removed', 'User Administrator': 'removed' });
    expect(requestsIn(tenant, SCHEDULE, 'POST').map((r) => (r.body as { action: string }).action)).toEqual([
      'adminAssign',
      'adminAssign',
      'adminRemove',
      'adminRemove',
    ]);
    expect(holds(tenant, sp.id, EXA)).toBeUndefined();
    expect(holds(tenant, sp.id, UA)).toBeUndefined();
    expect(holds(tenant, sp.id, DIRECTORY_ROLES.sharePointAdministrator)).toBeDefined();
    const audit = await h.bot.store.audit.list(tenant.id);
    expect(audit.filter((a) => a.action === 'role.removed').map((a) => a.detail?.roleName)).toEqual(
      expect.arrayContaining(['Exchange Administrator', 'User Administrator']),
    );

    // Nothing is left to offer a second time.
    const again = shown(await admin.click(offer, 'Remove these roles'));
    expect(cardText(again)).toContain(
      'None of the roles I assigned for that target connection is still in effect',
    );
  });

  test('without PIM (no Entra ID P2) nothing is assigned permanently unless the assigner confirms it on the card; then it is, and removing the target deletes it', async () => {
    const tenant = cloud.addTenant({ displayName: 'Fabrikam' });
    tenant.grantPermission(WRITE);
    tenant.entraIdP2 = false;
    const sp = tenant.sharePointAdmin!;
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = await openAssign(admin, sp.userPrincipalName);
    expect(inputsOf(card).find((i) => i.id === 'permanentFallback')).toMatchObject({ value: 'false' });

    const unconfirmed = shown(await admin.click(card, 'Assign checked roles', { [`role-${UA}`]: 'true' }));
    expect(factsOf(unconfirmed)).toEqual({
      'Exchange Administrator':
        'not assigned: time-bound assignment is unavailable in this tenant, and permanent was not confirmed',
      'User Administrator':
        'not assigned: time-bound assignment is unavailable in this tenant, and permanent was not confirmed',
    });
    expect(cardText(unconfirmed)).toContain('that takes Microsoft Entra ID P2');
    expect(requestsIn(tenant, PERMANENT, 'POST')).toHaveLength(0);
    expect(holds(tenant, sp.id, EXA)).toBeUndefined();
    const failed = (await h.bot.store.audit.list(tenant.id)).filter(
      (a) => a.action === 'role.assignment-failed',
    );
    expect(failed[0]?.detail).toMatchObject({ code: 'TIME_BOUND_UNAVAILABLE' });

    cloud.graph.requests.length = 0;
    const confirmed = shown(await admin.click(card, 'Assign checked roles', { permanentFallback: 'true' }));
    expect(factsOf(confirmed)).toEqual({
      'Exchange Administrator':
        'assigned: permanently, as confirmed (time-bound assignment is unavailable in this tenant)',
    });
    expect(requestsIn(tenant, SCHEDULE, 'POST')).toHaveLength(1);
    expect(requestsIn(tenant, PERMANENT, 'POST')).toHaveLength(1);
    const assignment = holds(tenant, sp.id, EXA);
    expect(assignment).toMatchObject({ directoryScopeId: '/' });
    expect(assignment?.endDateTime).toBeUndefined();
    expect(
      (await h.bot.store.audit.list(tenant.id)).find((a) => a.action === 'role.assigned')?.detail,
    ).toMatchObject({
      assignment: 'permanent',
      assignmentId: assignment!.id,
    });

    await admin.say(`roles ${sp.userPrincipalName} exchange`);
    const offer = lastReplyCard(await admin.click(lastReplyCard(await admin.say('targets')), 'Remove'));
    expect(factsOf(offer)).toEqual({ 'Exchange Administrator': 'permanent, assigned 2026-03-02 09:00 UTC' });
    const taken = shown(await admin.click(offer, 'Remove these roles'));
    expect(factsOf(taken)).toEqual({ 'Exchange Administrator': 'removed' });
    expect(requestsIn(tenant, `${PERMANENT}/{id}`, 'DELETE').map((r) => r.graphPath)).toEqual([
      `${PERMANENT}/${assignment!.id}`,
    ]);
    expect(holds(tenant, sp.id, EXA)).toBeUndefined();
  });

  test('in the approval flow the global admin sees the duration and decides on the permanent fallback', async () => {
    const tenant = cloud.addTenant({ displayName: 'Northwind' });
    tenant.grantPermission(WRITE);
    tenant.entraIdP2 = false;
    const sp = tenant.sharePointAdmin!;
    const requester = h.chat(sp, 'personal', tenant);
    const card = await openAssign(requester, sp.userPrincipalName);
    // The requester cannot confirm a permanent assignment: that is the approver's call.
    expect(inputsOf(card).find((i) => i.id === 'permanentFallback')).toBeUndefined();
    await requester.click(card, 'Send for approval');
    const approval = cardOf(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)[0]);
    expect(factsOf(approval).Duration).toBe(
      'for 7 days, until 2026-03-09 09:00 UTC (time-bound, ROLE_ASSIGNMENT_DAYS)',
    );
    const decided = await h.chat(tenant.admin!, 'personal', tenant).click(approval, 'Submit decisions', {
      [`decision-${EXA}`]: 'approve',
      permanentFallback: 'true',
    });
    expect(factsOf(shown(decided))['Exchange Administrator']).toContain(
      'assigned: permanently, as confirmed',
    );
    expect(holds(tenant, sp.id, EXA)).toBeDefined();
  });

  test('removing a target whose roles the bot did not assign says so and offers nothing', async () => {
    const tenant = cloud.addTenant({ displayName: 'Alpine' });
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    await admin.say(`roles ${tenant.sharePointAdmin!.userPrincipalName}`);
    const removed = await admin.click(lastReplyCard(await admin.say('targets')), 'Remove');
    expect(turnText(removed)).toContain(
      'No role I assigned for it is still in effect, so its roles were not changed',
    );
    // The reply is plain text: no card with a removal button.
    expect(removed.replies.filter((r) => Array.isArray(r.attachments) && r.attachments.length > 0)).toEqual(
      [],
    );
  });
});
