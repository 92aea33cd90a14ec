import { actionTitles, cardOf, findAction, type Card } from '../../harness/cards';
import { makeTempDir, removeTempDir, startHarness, TestClock, type Harness } from '../../harness/testBot';
import {
  DIRECTORY_ROLES,
  startFakeMicrosoftCloud,
  type FakeMicrosoftCloud,
} from '../../support/fakeMicrosoftCloud';
import { factsOf, lastReplyCard } from './rolesDriver';
import { approvalKey } from '../../../src/bot/features/roles/rolesApproval';
import { shown } from '../../harness/chat';

/** The required role of an Office 365 target, which the member lacks. */
const SPA = DIRECTORY_ROLES.sharePointAdministrator;

describe('a roles approval interrupted by a crash', () => {
  let cloud: FakeMicrosoftCloud;
  let dataDir: string;
  const clock = new TestClock();

  beforeAll(async () => {
    cloud = await startFakeMicrosoftCloud();
    dataDir = makeTempDir();
  });
  afterAll(async () => {
    await cloud.stop();
    removeTempDir(dataDir);
  });

  test('is offered again after a restart, and the admin’s decision then goes through', async () => {
    const tenant = cloud.addTenant({ displayName: 'Coho' });
    tenant.grantPermission('RoleManagement.ReadWrite.Directory');
    const megan = tenant.member!;
    const admin = tenant.admin!;
    let h: Harness = await startHarness({ cloud, dataDir, clock });
    const requester = h.chat(megan, 'personal', tenant);
    const check = lastReplyCard(await requester.say(`roles ${megan.userPrincipalName}`));
    const assign = lastReplyCard(await requester.click(check, 'Assign missing roles'));
    await requester.click(assign, 'Send for approval');
    const approval: Card = cardOf(h.standIn.posted(`a:1:personal-${admin.id}`)[0]);
    expect(actionTitles(approval)).toEqual(['Submit decisions', 'Decline all']);
    const requestId = String(
      (findAction(approval, 'Submit decisions').data as { requestId: string }).requestId,
    );

    // The admin's decision claimed the request, then the process died before it assigned anything:
    // the store holds the claim as that process wrote it.
    const key = approvalKey(tenant.id, requestId);
    const stored = (await h.bot.store.state.read([key]))[key] as Record<string, unknown>;
    expect(stored.status).toBe('pending');
    await h.bot.store.state.write({
      [key]: { ...stored, status: 'deciding', claimedAt: clock.now().toISOString() },
    });
    await h.stop(true);

    h = await startHarness({ cloud, dataDir, clock });
    const adminClient = h.chat(admin, 'personal', tenant);
    const decisions = { [`decision-${SPA}`]: 'approve' };
    // Right after the restart the claim could still belong to a live replica: not "already decided".
    const early = await adminClient.click(approval, 'Submit decisions', decisions);
    expect(String(early.replies[0].text)).toContain('being decided right now');
    expect(String(early.replies[0].text)).not.toContain('already decided');

    clock.set(new Date(clock.now().getTime() + 11 * 60 * 1000));
    const resumed = await adminClient.click(approval, 'Submit decisions', decisions, 'approval-card');
    expect(factsOf(shown(resumed))['SharePoint Administrator']).toMatch(/^assigned/);
    expect(tenant.roleAssignments.some((a) => a.principalId === megan.id && a.roleDefinitionId === SPA)).toBe(
      true,
    );
    expect(h.bot.logs.some((l) => l.msg === 'resuming a role decision that was interrupted')).toBe(true);
    const after = (await h.bot.store.state.read([key]))[key] as Record<string, unknown>;
    expect(after.status).toBe('decided');
    await h.stop(true);
  });
});
