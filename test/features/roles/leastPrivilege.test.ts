import { actionTitles, cardOf, cardText, inputsOf } from '../../harness/cards';
import type { TeamsClient } from '../../harness/teamsClient';
import { DIRECTORY_ROLES, type FakeTenant } from '../../support/fakeMicrosoftCloud';
import { factsOf, lastReplyCard } from './rolesDriver';
import { shown, turnText } from '../../harness/chat';
import { useCloudHarness } from '../../harness/useHarness';
import { StoreUnavailableError, type AuditEvent } from '../../../src/connectors/ports';
import { withReplaced } from '../../support/replaceMethod';

/** An Office 365 target's required role, and its optional one (the admin consent). */
const SPA = DIRECTORY_ROLES.sharePointAdministrator;
const GA = DIRECTORY_ROLES.globalAdministrator;
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
    const check = lastReplyCard(await client.say(`roles ${upn}`));
    return lastReplyCard(await client.click(check, 'Assign missing roles'));
  }

  test('with PIM the roles are assigned for ROLE_ASSIGNMENT_DAYS (the card says until when); removing the target offers to remove exactly those roles', async () => {
    const tenant = cloud.addTenant({ displayName: 'Contoso' });
    tenant.grantPermission(WRITE);
    const olga = tenant.addUser({ displayName: 'Olga Owner', alias: 'olga' });
    // Held before, not assigned by the bot: never offered for removal.
    tenant.assignRole(olga.id, DIRECTORY_ROLES.exchangeAdministrator);
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = await openAssign(admin, olga.userPrincipalName);
    expect(cardText(card)).toContain('Each role is assigned for 7 days, until 2026-03-09 09:00 UTC');

    const done = shown(await admin.click(card, 'Assign checked roles', { [`role-${GA}`]: 'true' }));
    expect(factsOf(done)).toEqual({
      'SharePoint Administrator': 'assigned: for 7 days, until 2026-03-09 09:00 UTC',
      'Global Administrator': 'assigned: for 7 days, until 2026-03-09 09:00 UTC',
    });
    expect(holds(tenant, olga.id, SPA)?.endDateTime).toBe('2026-03-09T09:00:00.000Z');
    expect(requestsIn(tenant, PERMANENT, 'POST')).toHaveLength(0);

    // The check passes and defines the target; then it is removed.
    expect(turnText(await admin.say(`roles ${olga.userPrincipalName}`))).toContain('The check passed');
    const list = lastReplyCard(await admin.say('targets'));
    const removed = await admin.click(list, 'Remove');
    const offer = lastReplyCard(removed);
    expect(cardText(offer)).toContain('Remove the roles I assigned to olga@contoso.onmicrosoft.com?');
    expect(factsOf(offer)).toEqual({
      'SharePoint Administrator': 'time-bound, until 2026-03-09 09:00 UTC',
      'Global Administrator': 'time-bound, until 2026-03-09 09:00 UTC',
    });
    expect(actionTitles(offer)).toEqual(['Remove these roles']);

    // Only a Global or Privileged Role Administrator may take roles away.
    const refused = await h.chat(tenant.member!, 'personal', tenant).click(offer, 'Remove these roles');
    expect(refused.replies[0].text).toContain(
      'takes a Global Administrator or a Privileged Role Administrator',
    );
    expect(holds(tenant, olga.id, SPA)).toBeDefined();

    const taken = shown(await admin.click(offer, 'Remove these roles'));
    expect(factsOf(taken)).toEqual({
      'SharePoint Administrator': 'removed',
      'Global Administrator': 'removed',
    });
    expect(requestsIn(tenant, SCHEDULE, 'POST').map((r) => (r.body as { action: string }).action)).toEqual([
      'adminAssign',
      'adminAssign',
      'adminRemove',
      'adminRemove',
    ]);
    expect(holds(tenant, olga.id, SPA)).toBeUndefined();
    expect(holds(tenant, olga.id, GA)).toBeUndefined();
    expect(holds(tenant, olga.id, DIRECTORY_ROLES.exchangeAdministrator)).toBeDefined();
    const audit = await h.bot.store.audit.list(tenant.id);
    expect(audit.filter((a) => a.action === 'role.removed').map((a) => a.detail?.roleName)).toEqual(
      expect.arrayContaining(['SharePoint Administrator', 'Global Administrator']),
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
    const olga = tenant.addUser({ displayName: 'Olga Owner', alias: 'olga' });
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = await openAssign(admin, olga.userPrincipalName);
    expect(inputsOf(card).find((i) => i.id === 'permanentFallback')).toMatchObject({ value: 'false' });

    const unconfirmed = shown(await admin.click(card, 'Assign checked roles', { [`role-${GA}`]: 'true' }));
    expect(factsOf(unconfirmed)).toEqual({
      'SharePoint Administrator':
        'not assigned: time-bound assignment is unavailable in this tenant, and permanent was not confirmed',
      'Global Administrator':
        'not assigned: time-bound assignment is unavailable in this tenant, and permanent was not confirmed',
    });
    expect(cardText(unconfirmed)).toContain('that takes Microsoft Entra ID P2');
    expect(requestsIn(tenant, PERMANENT, 'POST')).toHaveLength(0);
    expect(holds(tenant, olga.id, SPA)).toBeUndefined();
    const failed = (await h.bot.store.audit.list(tenant.id)).filter(
      (a) => a.action === 'role.assignment-failed',
    );
    expect(failed[0]?.detail).toMatchObject({ code: 'TIME_BOUND_UNAVAILABLE' });

    cloud.graph.requests.length = 0;
    const confirmed = shown(await admin.click(card, 'Assign checked roles', { permanentFallback: 'true' }));
    expect(factsOf(confirmed)).toEqual({
      'SharePoint Administrator':
        'assigned: permanently, as confirmed (time-bound assignment is unavailable in this tenant)',
    });
    expect(requestsIn(tenant, SCHEDULE, 'POST')).toHaveLength(1);
    expect(requestsIn(tenant, PERMANENT, 'POST')).toHaveLength(1);
    const assignment = holds(tenant, olga.id, SPA);
    expect(assignment).toMatchObject({ directoryScopeId: '/' });
    expect(assignment?.endDateTime).toBeUndefined();
    expect(
      (await h.bot.store.audit.list(tenant.id)).find((a) => a.action === 'role.assigned')?.detail,
    ).toMatchObject({
      assignment: 'permanent',
      assignmentId: assignment!.id,
    });

    await admin.say(`roles ${olga.userPrincipalName}`);
    const offer = lastReplyCard(await admin.click(lastReplyCard(await admin.say('targets')), 'Remove'));
    expect(factsOf(offer)).toEqual({
      'SharePoint Administrator': 'permanent, assigned 2026-03-02 09:00 UTC',
    });
    const taken = shown(await admin.click(offer, 'Remove these roles'));
    expect(factsOf(taken)).toEqual({ 'SharePoint Administrator': 'removed' });
    expect(requestsIn(tenant, `${PERMANENT}/{id}`, 'DELETE').map((r) => r.graphPath)).toEqual([
      `${PERMANENT}/${assignment!.id}`,
    ]);
    expect(holds(tenant, olga.id, SPA)).toBeUndefined();
  });

  test('in the approval flow the global admin sees the duration and decides on the permanent fallback', async () => {
    const tenant = cloud.addTenant({ displayName: 'Northwind' });
    tenant.grantPermission(WRITE);
    tenant.entraIdP2 = false;
    const olga = tenant.addUser({ displayName: 'Olga Owner', alias: 'olga' });
    const requester = h.chat(olga, 'personal', tenant);
    const card = await openAssign(requester, olga.userPrincipalName);
    // The requester cannot confirm a permanent assignment: that is the approver's call.
    expect(inputsOf(card).find((i) => i.id === 'permanentFallback')).toBeUndefined();
    await requester.click(card, 'Send for approval');
    const approval = cardOf(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)[0]);
    expect(factsOf(approval).Duration).toBe(
      'for 7 days, until 2026-03-09 09:00 UTC (time-bound, ROLE_ASSIGNMENT_DAYS)',
    );
    const decided = await h.chat(tenant.admin!, 'personal', tenant).click(approval, 'Submit decisions', {
      [`decision-${SPA}`]: 'approve',
      permanentFallback: 'true',
    });
    expect(factsOf(shown(decided))['SharePoint Administrator']).toContain(
      'assigned: permanently, as confirmed',
    );
    expect(holds(tenant, olga.id, SPA)).toBeDefined();
  });

  test('an audit outage after a target is removed: the reply says it was removed, and the role removal is still offered', async () => {
    const tenant = cloud.addTenant({ displayName: 'Litware' });
    tenant.grantPermission(WRITE);
    const olga = tenant.addUser({ displayName: 'Olga Owner', alias: 'olga' });
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    await admin.click(await openAssign(admin, olga.userPrincipalName), 'Assign checked roles');
    await admin.say(`roles ${olga.userPrincipalName}`);
    const list = lastReplyCard(await admin.say('targets'));
    const removed = await withReplaced(
      h.bot.store.audit,
      'append',
      (append) => async (event: AuditEvent) => {
        if (event.action === 'target.removed') throw new StoreUnavailableError(new Error('ECONNRESET'));
        return append(event);
      },
      () => admin.click(list, 'Remove'),
    );
    expect(turnText(removed)).toContain(
      'Removed the Office 365 (SharePoint Online and OneDrive) target connection of olga@litware.onmicrosoft.com, but I could not record it in the audit log',
    );
    expect(turnText(removed)).not.toContain('I could not do that');
    expect(await h.bot.store.targets.list(tenant.id)).toEqual([]);
    expect(factsOf(lastReplyCard(removed))).toEqual({
      'SharePoint Administrator': 'time-bound, until 2026-03-09 09:00 UTC',
    });
  });

  test('Graph refuses an assignment and storage fails right then: the grant stays pending, and the removal offer leaves the role (someone else may hold it) for a check in Entra', async () => {
    const tenant = cloud.addTenant({ displayName: 'Tailspin' });
    tenant.grantPermission(WRITE);
    const olga = tenant.addUser({ displayName: 'Olga Owner', alias: 'olga' });
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = await openAssign(admin, olga.userPrincipalName);
    cloud.graph.failNext(SCHEDULE, {
      method: 'POST',
      status: 400,
      body: {
        error: { code: 'RoleAssignmentRequestPolicyValidationFailed', message: 'A policy refused it.' },
      },
    });
    // Forgetting the grant recorded before Graph was asked fails: the record outlives the refusal.
    const refused = await withReplaced(
      h.bot.store.state,
      'write',
      (write) => async (changes) => {
        const forgetting = Object.entries(changes).some(
          ([key, item]) => key.startsWith('role-grants/') && !(item as { grants: unknown[] }).grants.length,
        );
        if (forgetting) throw new StoreUnavailableError(new Error('ECONNRESET'));
        return write(changes);
      },
      () => admin.click(card, 'Assign checked roles'),
    );
    expect(factsOf(shown(refused))['SharePoint Administrator']).toContain('not assigned');
    expect(holds(tenant, olga.id, SPA)).toBeUndefined();

    // Another admin assigns the role in Entra; the target is then defined and removed.
    tenant.assignRole(olga.id, SPA);
    expect(turnText(await admin.say(`roles ${olga.userPrincipalName}`))).toContain('The check passed');
    const offer = lastReplyCard(await admin.click(lastReplyCard(await admin.say('targets')), 'Remove'));
    expect(cardText(offer)).toContain('a role marked “not confirmed” is left for you to check');
    expect(factsOf(offer)['SharePoint Administrator']).toMatch(
      /^not confirmed: I asked Graph to assign it 2026-03-02 09:00 UTC, but its answer was not recorded/,
    );
    const removals = requestsIn(tenant, SCHEDULE, 'POST').length;
    const taken = shown(await admin.click(offer, 'Remove these roles'));
    expect(factsOf(taken)).toEqual({
      'SharePoint Administrator':
        'not removed: Graph’s answer to my assignment was not recorded, so I leave it to you',
    });
    expect(requestsIn(tenant, SCHEDULE, 'POST')).toHaveLength(removals);
    expect(holds(tenant, olga.id, SPA)).toBeDefined();
    const audit = await h.bot.store.audit.list(tenant.id);
    expect(audit.find((a) => a.action === 'role.removal-skipped')?.detail).toMatchObject({
      roleName: 'SharePoint Administrator',
      result: 'left to you',
    });
    // Told once: the pending record is gone, the audit keeps the attempt.
    const again = shown(await admin.click(offer, 'Remove these roles'));
    expect(cardText(again)).toContain('None of the roles I assigned');
  });

  test('a role Graph assigned whose confirmation could not be written is still assigned on the card, and stays pending', async () => {
    const tenant = cloud.addTenant({ displayName: 'Litware' });
    tenant.grantPermission(WRITE);
    const olga = tenant.addUser({ displayName: 'Olga Owner', alias: 'olga' });
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = await openAssign(admin, olga.userPrincipalName);
    let writes = 0;
    const done = await withReplaced(
      h.bot.store.state,
      'write',
      (write) => async (changes) => {
        // The first grant write (pending) goes through; the confirmation after Graph fails, retries too.
        if (Object.keys(changes).some((key) => key.startsWith('role-grants/')) && ++writes >= 2)
          throw new StoreUnavailableError(new Error('ECONNRESET'));
        return write(changes);
      },
      () => admin.click(card, 'Assign checked roles'),
    );
    expect(factsOf(shown(done))['SharePoint Administrator']).toBe(
      'assigned: for 7 days, until 2026-03-09 09:00 UTC',
    );
    expect(holds(tenant, olga.id, SPA)).toBeDefined();
    await admin.say(`roles ${olga.userPrincipalName}`);
    const offer = lastReplyCard(await admin.click(lastReplyCard(await admin.say('targets')), 'Remove'));
    expect(factsOf(offer)['SharePoint Administrator']).toMatch(/^not confirmed/);
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
