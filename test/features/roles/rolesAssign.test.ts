import { makeUser } from '../../harness/activities';
import { actionTitles, cardOf, cardText, inputsOf, type Card } from '../../harness/cards';
import { answerError, TeamsClient } from '../../harness/teamsClient';
import type { StoreItems } from 'botbuilder';
import { withReplaced } from '../../support/replaceMethod';
import { StoreUnavailableError, type AuditEvent } from '../../../src/connectors/ports';
import { expectValidCard } from '../../support/cardValidation';
import { DIRECTORY_ROLES, graphError, reply, type FakeTenant } from '../../support/fakeMicrosoftCloud';
import { factsOf, lastReplyCard } from './rolesDriver';
import { useCloudHarness } from '../../harness/useHarness';
import { shown, turnText } from '../../harness/chat';

/** The required role of an Office 365 target, and its optional one (the admin consent). */
const SPA = DIRECTORY_ROLES.sharePointAdministrator;
const GA = DIRECTORY_ROLES.globalAdministrator;
const WRITE = 'RoleManagement.ReadWrite.Directory';
const SCHEDULE = '/roleManagement/directory/roleAssignmentScheduleRequests';
/** The harness clock starts 2026-03-02 09:00 UTC; roles last ROLE_ASSIGNMENT_DAYS (30) from then. */
const UNTIL = '2026-04-01T09:00:00.000Z';
const ASSIGNED = 'assigned: for 30 days, until 2026-04-01 09:00 UTC';

describe('roles: assigning the missing roles', () => {
  const { cloud, h } = useCloudHarness();
  beforeEach(() => h.standIn.reset());

  const holds = (tenant: FakeTenant, userId: string, roleId: string) =>
    tenant.roleAssignments.some((a) => a.principalId === userId && a.roleDefinitionId === roleId);

  /** The asker checks `upn` for an Office 365 target and opens "Assign missing roles". */
  async function openAssign(client: TeamsClient, upn: string) {
    const check = lastReplyCard(await client.say(`roles ${upn}`));
    expect(actionTitles(check)).toContain('Assign missing roles');
    return lastReplyCard(await client.click(check, 'Assign missing roles'));
  }

  test('an allowed asker (Global Administrator): a toggle per role, optional ones off; checked roles are assigned with Graph, each audited', async () => {
    const tenant = cloud.addTenant({ displayName: 'Contoso' });
    tenant.grantPermission(WRITE);
    const megan = tenant.member!;
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = await openAssign(admin, megan.userPrincipalName);
    const text = cardText(card);
    expect(text).toContain('Assign missing roles to Megan Member');
    expect(text).toContain('You are a Global Administrator: I assign the checked roles');
    const toggles = inputsOf(card).filter((i) => i.type === 'Input.Toggle' && i.id !== 'permanentFallback');
    expect(toggles.map((t) => [t.id, t.label, t.value])).toEqual([
      [`role-${SPA}`, 'SharePoint Administrator (required)', 'true'],
      [`role-${GA}`, 'Global Administrator (optional: only to grant the admin consent)', 'false'],
    ]);
    expect(actionTitles(card)).toEqual(['Assign checked roles', 'Cancel']);
    expect(text).toContain('Each role is assigned for 30 days, until 2026-04-01 09:00 UTC');
    expect(inputsOf(card).find((i) => i.id === 'permanentFallback')).toMatchObject({
      type: 'Input.Toggle',
      value: 'false',
    });

    cloud.graph.requests.length = 0;
    const done = await admin.click(card, 'Assign checked roles', { [`role-${GA}`]: 'true' }, 'assign-card');
    const result = shown(done);
    expect(done.updates[0].activityId).toBe('assign-card');
    expect(cardText(result)).toContain('2 of 2 roles assigned to megan@contoso.onmicrosoft.com.');
    expect(factsOf(result)).toEqual({
      'SharePoint Administrator': ASSIGNED,
      'Global Administrator': ASSIGNED,
    });
    // Time-bound (PIM), never a permanent assignment.
    expect(cloud.graph.requestsTo('/roleManagement/directory/roleAssignments', 'POST')).toHaveLength(0);
    const posts = cloud.graph.requestsTo(SCHEDULE, 'POST');
    expect(posts.map((p) => p.body)).toEqual(
      [SPA, GA].map((roleDefinitionId) =>
        expect.objectContaining({
          action: 'adminAssign',
          principalId: megan.id,
          roleDefinitionId,
          directoryScopeId: '/',
          scheduleInfo: {
            startDateTime: '2026-03-02T09:00:00.000Z',
            expiration: { type: 'afterDateTime', endDateTime: UNTIL },
          },
        }),
      ),
    );
    expect(holds(tenant, megan.id, SPA) && holds(tenant, megan.id, GA)).toBe(true);
    const audit = (await h.bot.store.audit.list(tenant.id)).filter((a) => a.action === 'role.assigned');
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({
      actor: tenant.admin!.id,
      detail: {
        accountId: megan.id,
        accountUpn: megan.userPrincipalName,
        assignedAs: 'Global Administrator',
        assignment: 'time-bound',
        expiresAt: UNTIL,
      },
    });

    // The check now passes and defines the target.
    const again = lastReplyCard(await admin.say(`roles ${megan.userPrincipalName}`));
    expect(cardText(again)).toContain('The check passed');
    const [target] = await h.bot.store.targets.list(tenant.id);
    expect(target).toMatchObject({ kind: 'office365', adminId: megan.id });
    expect(target.roles).toEqual(
      expect.arrayContaining(['SharePoint Administrator', 'Global Administrator']),
    );
  });

  test('an allowed asker, but the app lacks RoleManagement.ReadWrite.Directory: the 403 is reported by name and audited', async () => {
    const tenant = cloud.addTenant({ displayName: 'Fabrikam' });
    const megan = tenant.member!;
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = await openAssign(admin, megan.userPrincipalName);
    const result = shown(await admin.click(card, 'Assign checked roles', { [`role-${GA}`]: 'true' }));
    const facts = factsOf(result);
    expect(facts['SharePoint Administrator']).toContain(
      'not assigned: Microsoft Graph refused POST /roleManagement/directory/roleAssignmentScheduleRequests: the app needs the application permission RoleManagement.ReadWrite.Directory with admin consent.',
    );
    expect(facts['Global Administrator']).toBe(
      'not tried: the same permission is missing (RoleManagement.ReadWrite.Directory)',
    );
    expect(cardText(result)).toContain('0 of 2 roles assigned');
    expect(holds(tenant, megan.id, SPA)).toBe(false);
    const failed = (await h.bot.store.audit.list(tenant.id)).find(
      (a) => a.action === 'role.assignment-failed',
    );
    expect(failed?.detail).toMatchObject({
      code: 'GRAPH_FORBIDDEN',
      permission: WRITE,
      status: 403,
      roleName: 'SharePoint Administrator',
    });
  });

  test('a disallowed asker sends the roles to a global admin 1:1; the admin approves one and declines the other; the requester is told', async () => {
    const tenant = cloud.addTenant({ displayName: 'Northwind' });
    tenant.grantPermission(WRITE);
    const megan = tenant.member!;
    const admin = tenant.admin!;
    const requester = h.chat(megan, 'personal', tenant);
    const card = await openAssign(requester, megan.userPrincipalName);
    expect(cardText(card)).toContain(
      'Assigning directory roles takes a Global Administrator or a Privileged Role Administrator',
    );
    const approverInput = inputsOf(card).find((i) => i.id === 'approverId');
    expect(approverInput).toMatchObject({ type: 'Input.ChoiceSet', value: admin.id });
    expect(JSON.stringify(approverInput)).toContain('Adele Admin (admin@northwind.onmicrosoft.com)');
    expect(actionTitles(card)).toEqual(['Send for approval', 'Cancel']);

    cloud.graph.requests.length = 0;
    const sent = await requester.click(card, 'Send for approval', { [`role-${GA}`]: 'true' }, 'request-card');
    expect(cloud.graph.requestsTo(SCHEDULE, 'POST')).toHaveLength(0);
    expect(cardText(shown(sent))).toContain('I sent the request to Adele Admin in a 1:1 chat');
    expect(h.standIn.callsTo('createConversation')[0].body).toMatchObject({
      members: [{ id: admin.id }],
      tenantId: tenant.id,
    });
    const approval = cardOf(h.standIn.posted(`a:1:personal-${admin.id}`)[0]);
    expectValidCard(approval);
    expect(cardText(approval)).toContain(
      'Megan Member asks you, as a global admin, to approve Microsoft Entra roles',
    );
    expect(cardText(approval)).toContain(
      'Your account is not used for the migration, only to approve these roles',
    );
    expect(inputsOf(approval).map((i) => [i.id, i.label])).toEqual([
      [`decision-${SPA}`, 'SharePoint Administrator'],
      [`decision-${GA}`, 'Global Administrator'],
      ['permanentFallback', 'Where time-bound assignment is unavailable'],
    ]);
    expect(factsOf(approval).Duration).toBe(
      'for 30 days, until 2026-04-01 09:00 UTC (time-bound, ROLE_ASSIGNMENT_DAYS)',
    );
    expect(actionTitles(approval)).toEqual(['Submit decisions', 'Decline all']);
    const requested = (await h.bot.store.audit.list(tenant.id)).find(
      (a) => a.action === 'roles.approval-requested',
    );
    expect(requested?.detail).toMatchObject({ approverId: admin.id, delivery: 'direct' });

    const adminClient = h.chat(admin, 'personal', tenant);
    // Shown while open, the approver's refresh answers the card with its choices.
    expect(actionTitles(shown((await adminClient.open(approval))!))).toEqual([
      'Submit decisions',
      'Decline all',
    ]);
    // Every role needs a decision.
    const undecided = await adminClient.click(approval, 'Submit decisions', {
      [`decision-${SPA}`]: 'approve',
    });
    expect(undecided.replies[0].text).toContain('Approve or decline every role');
    expect(holds(tenant, megan.id, SPA)).toBe(false);

    h.standIn.reset();
    const decided = await adminClient.click(
      approval,
      'Submit decisions',
      { [`decision-${SPA}`]: 'approve', [`decision-${GA}`]: 'decline' },
      'approval-card',
    );
    expect(factsOf(shown(decided))).toEqual({
      'SharePoint Administrator': ASSIGNED,
      'Global Administrator': 'declined: by Adele Admin',
    });
    expect(holds(tenant, megan.id, SPA)).toBe(true);
    expect(holds(tenant, megan.id, GA)).toBe(false);
    const audit = await h.bot.store.audit.list(tenant.id);
    expect(audit.find((a) => a.action === 'role.assigned')).toMatchObject({
      actor: admin.id,
      detail: { roleName: 'SharePoint Administrator', approvedBy: admin.id, requestedBy: megan.id },
    });
    expect(audit.find((a) => a.action === 'role.declined')).toMatchObject({
      actor: admin.id,
      detail: { roleName: 'Global Administrator' },
    });
    // The requester is told in the chat where they asked.
    const told = h.standIn.posted(requester.conversation.id);
    expect(told).toHaveLength(1);
    expect(String(told[0].text)).toContain(
      'Adele Admin decided on the roles for megan@northwind.onmicrosoft.com',
    );
    expect(factsOf(cardOf(told[0]))['SharePoint Administrator']).toBe(ASSIGNED);

    // A second click changes nothing.
    const twice = await adminClient.click(approval, 'Decline all');
    expect(twice.replies[0].text).toContain('already decided');

    // Opened again (another device, a day later), the card says who handled it; the refresh writes nothing.
    const auditBefore = (await h.bot.store.audit.list(tenant.id)).length;
    const reopened = shown((await adminClient.open(approval))!);
    expect(cardText(reopened)).toMatch(/Handled by Adele Admin on \d{4}-\d{2}-\d{2}/);
    expect(factsOf(reopened)['Global Administrator']).toBe('declined: by Adele Admin');
    expect(actionTitles(reopened)).not.toContain('Submit decisions');
    expect((await h.bot.store.audit.list(tenant.id)).length).toBe(auditBefore);
    // The bot had not seen the approver in Teams when it sent the card, so it names nobody in
    // refresh.userIds (an Entra id is not a Teams user id): Teams refreshes it for the one member
    // of the approver's 1:1 chat, where it was posted.
    expect((approval.refresh as { userIds?: string[] }).userIds).toBeUndefined();
  });

  test('an approver the bot cannot reach 1:1, asked from the requester’s own 1:1 chat: no @mention there (it would reach nobody), and the card says the request has not reached them, and why', async () => {
    const tenant = cloud.addTenant({ displayName: 'Adatum' });
    tenant.grantPermission(WRITE);
    const megan = tenant.member!;
    const requester = h.chat(megan, 'personal', tenant);
    const card = await openAssign(requester, megan.userPrincipalName);
    // Not installed for the approver, and TEAMS_APP_CATALOG_ID is not set: no way to reach them 1:1.
    h.standIn.program(
      'createConversation',
      { status: 403, body: { error: { code: 'Forbidden' } } },
      { times: 5 },
    );
    const sent = await requester.click(card, 'Send for approval', {}, 'request-card');
    const text = cardText(shown(sent));
    expect(text).toContain('not sent for approval');
    expect(text).toContain('The request has not reached Adele Admin');
    expect(text).toContain('an @mention in this chat would reach nobody but you');
    expect(text).not.toContain('I will tell you here when they decide');
    expect(
      h.standIn.posted(requester.conversation.id).filter((a) => String(a.text ?? '').includes('<at>')),
    ).toHaveLength(0);
    const audit = await h.bot.store.audit.list(tenant.id);
    expect(audit.find((a) => a.action === 'roles.approval-requested')?.detail).toMatchObject({
      delivery: 'not delivered',
    });
  });

  test('decline all: nothing is assigned, each role is audited as declined, the requester is told', async () => {
    const tenant = cloud.addTenant({ displayName: 'Litware' });
    tenant.grantPermission(WRITE);
    const megan = tenant.member!;
    const requester = h.chat(megan, 'personal', tenant);
    const card = await openAssign(requester, megan.userPrincipalName);
    await requester.click(card, 'Send for approval');
    const approval = cardOf(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)[0]);
    expect(inputsOf(approval).filter((i) => i.type === 'Input.ChoiceSet')).toHaveLength(1);
    h.standIn.reset();
    cloud.graph.requests.length = 0;
    const declined = await h.chat(tenant.admin!, 'personal', tenant).click(approval, 'Decline all');
    expect(factsOf(shown(declined))).toEqual({ 'SharePoint Administrator': 'declined: by Adele Admin' });
    expect(cloud.graph.requestsTo(SCHEDULE, 'POST')).toHaveLength(0);
    expect(holds(tenant, megan.id, SPA)).toBe(false);
    const audit = await h.bot.store.audit.list(tenant.id);
    expect(audit.filter((a) => a.action === 'role.declined')).toHaveLength(1);
    expect(audit.some((a) => a.action === 'role.assigned')).toBe(false);
    expect(
      turnText({ ...declined, replies: h.standIn.posted(requester.conversation.id), updates: [] }),
    ).toContain('Adele Admin declined the roles for megan@litware.onmicrosoft.com');
  });

  test('a request older than CONSENT_REQUEST_DAYS cannot be approved (the account is to be checked afresh); Decline all still closes it', async () => {
    const tenant = cloud.addTenant({ displayName: 'Tailspin' });
    tenant.grantPermission(WRITE);
    const megan = tenant.member!;
    const requester = h.chat(megan, 'personal', tenant);
    await requester.click(await openAssign(requester, megan.userPrincipalName), 'Send for approval');
    const approval = cardOf(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)[0]);
    expect(factsOf(approval)['Answer by']).toBe(
      '2026-04-01 09:00 UTC (CONSENT_REQUEST_DAYS); later the requester asks again',
    );
    const sent = h.bot.clock.now();
    h.bot.clock.advanceDays(31);
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    cloud.graph.requests.length = 0;
    let late;
    try {
      late = await admin.click(approval, 'Submit decisions', { [`decision-${SPA}`]: 'approve' });
    } finally {
      // The harness clock is shared by this file's tests.
      h.bot.clock.set(sent);
    }
    expect(turnText(late)).toContain(
      'more than 30 days ago (CONSENT_REQUEST_DAYS), so it can no longer be approved',
    );
    expect(turnText(late)).toContain('Nothing was assigned');
    expect(cloud.graph.requestsTo(SCHEDULE, 'POST')).toHaveLength(0);
    expect(holds(tenant, megan.id, SPA)).toBe(false);
    const declined = await admin.click(approval, 'Decline all');
    expect(factsOf(shown(declined))).toEqual({ 'SharePoint Administrator': 'declined: by Adele Admin' });
  });

  test('storage failing right after Graph assigned a role: the attempt is audited and the grant recorded beforehand, so removal is still offered', async () => {
    const tenant = cloud.addTenant({ displayName: 'Woodgrove' });
    tenant.grantPermission(WRITE);
    const megan = tenant.member!;
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = await openAssign(admin, megan.userPrincipalName);
    await withReplaced(
      h.bot.store.audit,
      'append',
      (append) => async (event: AuditEvent) => {
        if (event.action === 'role.assigned') throw new StoreUnavailableError(new Error('ECONNRESET'));
        return append(event);
      },
      () => admin.click(card, 'Assign checked roles'),
    );
    expect(holds(tenant, megan.id, SPA)).toBe(true);
    const audit = await h.bot.store.audit.list(tenant.id);
    expect(audit.find((a) => a.action === 'role.assigning')?.detail).toMatchObject({
      accountId: megan.id,
      roleName: 'SharePoint Administrator',
      assignment: 'time-bound',
    });
    // The role the bot assigned can still be taken back with the target.
    await admin.say(`roles ${megan.userPrincipalName}`);
    const offer = lastReplyCard(await admin.click(lastReplyCard(await admin.say('targets')), 'Remove'));
    expect(factsOf(offer)).toEqual({ 'SharePoint Administrator': 'time-bound, until 2026-04-01 09:00 UTC' });
  });

  test('Graph made the assignment but answered 504: it is not asked again, and the grant stays “not confirmed”, so removal still knows of it', async () => {
    const tenant = cloud.addTenant({ displayName: 'Northwind' });
    tenant.grantPermission(WRITE);
    const megan = tenant.member!;
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = await openAssign(admin, megan.userPrincipalName);
    cloud.graph.requests.length = 0;
    cloud.graph.on(
      'POST',
      SCHEDULE,
      () => {
        tenant.assignRole(megan.id, SPA);
        return graphError(504, 'GatewayTimeout', 'The gateway did not receive a response in time.');
      },
      { times: 1 },
    );
    const done = await admin.click(card, 'Assign checked roles');
    expect(cloud.graph.requestsTo(SCHEDULE, 'POST')).toHaveLength(1);
    expect(holds(tenant, megan.id, SPA)).toBe(true);
    expect(factsOf(shown(done))['SharePoint Administrator']).toContain('may have been made');

    await admin.say(`roles ${megan.userPrincipalName}`);
    const offer = lastReplyCard(await admin.click(lastReplyCard(await admin.say('targets')), 'Remove'));
    expect(factsOf(offer)['SharePoint Administrator']).toContain('not confirmed');
  });

  test('Graph refuses the write’s token and sign-in is then unavailable: nothing was assigned, so the role is not called “may have been made” and no grant is kept', async () => {
    const tenant = cloud.addTenant({ displayName: 'Tailspin' });
    tenant.grantPermission(WRITE);
    const megan = tenant.member!;
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card = await openAssign(admin, megan.userPrincipalName);
    cloud.graph.requests.length = 0;
    // Graph refuses the write's token (401, nothing assigned); the new token meets a sign-in outage.
    cloud.graph.on(
      'POST',
      SCHEDULE,
      () => {
        cloud.login.failNext(
          reply(503, {
            error: 'temporarily_unavailable',
            error_description: 'AADSTS90033: A transient error has occurred.',
          }),
        );
        return graphError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
      },
      { times: 1 },
    );
    const done = await admin.click(card, 'Assign checked roles');
    expect(cloud.graph.requestsTo(SCHEDULE, 'POST')).toHaveLength(1);
    expect(holds(tenant, megan.id, SPA)).toBe(false);
    const said = factsOf(shown(done))['SharePoint Administrator'];
    expect(said).not.toContain('may have been made');
    expect(said).toContain('unavailable');
    // No grant is kept pending for a role that was never assigned.
    const key = `role-grants/${tenant.id}/${megan.id}`;
    const stored = (await h.bot.store.state.read([key]))[key] as { grants?: unknown[] } | undefined;
    expect(stored?.grants ?? []).toEqual([]);
  });

  test('a storage outage while the decision is claimed says so, and the request stays open', async () => {
    const tenant = cloud.addTenant({ displayName: 'Fabrikam' });
    tenant.grantPermission(WRITE);
    const megan = tenant.member!;
    const requester = h.chat(megan, 'personal', tenant);
    const card = await openAssign(requester, megan.userPrincipalName);
    await requester.click(card, 'Send for approval');
    const approval = cardOf(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)[0]);
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const failed = await withReplaced(
      h.bot.store.state,
      'write',
      (write) => async (changes: StoreItems) => {
        if (Object.keys(changes).some((k) => k.startsWith(`roles-approval/${tenant.id}/`)))
          throw new StoreUnavailableError(new Error('ECONNREFUSED'));
        return write(changes);
      },
      () => admin.click(approval, 'Decline all'),
    );
    expect(turnText(failed)).not.toContain('being decided already');
    expect(answerError(failed)?.message ?? turnText(failed)).toContain('Storage is unavailable');
    // Nothing was decided: the same click goes through once storage is back.
    const declined = await admin.click(approval, 'Decline all');
    expect(factsOf(shown(declined))).toEqual({ 'SharePoint Administrator': 'declined: by Adele Admin' });
  });

  test('approver checks: only the addressed global admin decides; a forged approver is refused; another tenant sees nothing', async () => {
    const tenant = cloud.addTenant({ displayName: 'Tailspin' });
    tenant.grantPermission(WRITE);
    const megan = tenant.member!;
    const requester = h.chat(megan, 'personal', tenant);
    const card = await openAssign(requester, megan.userPrincipalName);

    // The requester names someone who is not a global admin (a forged choice): refused.
    const forgedChoice = await requester.click(card, 'Send for approval', { approverId: tenant.member!.id });
    expect(forgedChoice.replies[0].text).toContain('not a global admin of this tenant');
    const selfChoice = await requester.click(card, 'Send for approval', { approverId: megan.id });
    expect(selfChoice.replies[0].text).toContain('not a global admin of this tenant');
    expect(h.standIn.callsTo('createConversation')).toHaveLength(0);

    await requester.click(card, 'Send for approval');
    const approval = cardOf(h.standIn.posted(`a:1:personal-${tenant.admin!.id}`)[0]);
    const decisions = { [`decision-${SPA}`]: 'approve' };

    // The requester clicks the admin's card themselves.
    const bySelf = await requester.click(approval, 'Submit decisions', decisions);
    expect(bySelf.replies[0].text).toContain('Only Adele Admin can decide this request');
    // A stranger.
    const mallory = makeUser('Mallory');
    const byStranger = await h
      .chat(mallory, 'personal', tenant.id)
      .click(approval, 'Submit decisions', decisions);
    expect(byStranger.replies[0].text).toContain('Only Adele Admin can decide this request');
    // Another tenant's global admin.
    const other = cloud.addTenant({ displayName: 'Elsewhere' });
    const byOtherTenant = await h
      .chat(other.admin!, 'personal', other)
      .click(approval, 'Submit decisions', decisions);
    expect(byOtherTenant.replies[0].text).toContain('does not exist in this tenant');
    expect(holds(tenant, megan.id, SPA)).toBe(false);

    // The addressed admin lost Global Administrator meanwhile: approving is refused.
    const adminRole = tenant.roleAssignments.findIndex((a) => a.principalId === tenant.admin!.id);
    const [removed] = tenant.roleAssignments.splice(adminRole, 1);
    const demoted = await h
      .chat(tenant.admin!, 'personal', tenant)
      .click(approval, 'Submit decisions', decisions);
    expect(demoted.replies[0].text).toContain('no longer show Global Administrator');
    tenant.roleAssignments.push(removed);
    await h.chat(tenant.admin!, 'personal', tenant).click(approval, 'Submit decisions', decisions);
    expect(holds(tenant, megan.id, SPA)).toBe(true);
  });

  test('a Privileged Role Administrator may assign; with no global admin to list, the approver is typed and must be able to assign', async () => {
    const tenant = cloud.addTenant({ displayName: 'Wingtip' });
    tenant.grantPermission(WRITE);
    const pra = tenant.addUser({ displayName: 'Pat Privileged', alias: 'pat' });
    tenant.assignRole(pra.id, DIRECTORY_ROLES.privilegedRoleAdministrator);
    // The only Global Administrator assignment is a group's: no person to list.
    const gaGroup = tenant.addGroup('Global admins', [tenant.admin!.id]);
    tenant.roleAssignments.find((a) => a.principalId === tenant.admin!.id)!.principalId = gaGroup.id;

    const megan = tenant.member!;
    const requester = h.chat(megan, 'personal', tenant);
    const card = await openAssign(requester, megan.userPrincipalName);
    expect(inputsOf(card).find((i) => i.id === 'approverId')).toBeUndefined();
    expect(inputsOf(card).find((i) => i.id === 'approverUpn')).toMatchObject({ type: 'Input.Text' });
    const notAdmin = await requester.click(card, 'Send for approval', {
      approverUpn: 'megan@wingtip.onmicrosoft.com',
    });
    expect(notAdmin.replies[0].text).toContain(
      'megan@wingtip.onmicrosoft.com is neither a Global Administrator nor a Privileged Role Administrator',
    );
    await requester.click(card, 'Send for approval', { approverUpn: pra.userPrincipalName });
    const approval = cardOf(h.standIn.posted(`a:1:personal-${pra.id}`)[0]);
    expectValidCard(approval);
    await h
      .chat(pra, 'personal', tenant)
      .click(approval, 'Submit decisions', { [`decision-${SPA}`]: 'approve' });
    expect(holds(tenant, megan.id, SPA)).toBe(true);

    // The Privileged Role Administrator assigns directly, too (to someone still without it).
    const other = tenant.addUser({ displayName: 'Olga Other', alias: 'olga' });
    const own = await openAssign(h.chat(pra, 'personal', tenant), other.userPrincipalName);
    expect(cardText(own)).toContain('You are a Privileged Role Administrator');
    const done = shown(await h.chat(pra, 'personal', tenant).click(own, 'Assign checked roles'));
    expect(factsOf(done)).toEqual({ 'SharePoint Administrator': ASSIGNED });
  });

  test('the asker unchecks every role: nothing happens; Cancel leaves the roles as they were', async () => {
    const tenant = cloud.addTenant({ displayName: 'Adatum' });
    tenant.grantPermission(WRITE);
    const admin = h.chat(tenant.admin!, 'personal', tenant);
    const card: Card = await openAssign(admin, tenant.member!.userPrincipalName);
    const none = await admin.click(card, 'Assign checked roles', { [`role-${SPA}`]: 'false' });
    expect(none.replies[0].text).toContain('No role was checked');
    const cancelled = await admin.click(card, 'Cancel');
    expect(cardText(shown(cancelled))).toContain('Nothing was assigned');
    expect(
      [
        ...cloud.graph.requestsTo('/roleManagement/directory/roleAssignments', 'POST'),
        ...cloud.graph.requestsTo(SCHEDULE, 'POST'),
      ].filter((r) => r.tenantId === tenant.id),
    ).toHaveLength(0);
  });
});
