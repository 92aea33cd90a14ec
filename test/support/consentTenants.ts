import { cardOf, type Card } from '../harness/cards';
import type { Harness } from '../harness/testBot';
import { expectValidCard } from './cardValidation';
import type { FakeMicrosoftCloud, FakeUser } from './fakeMicrosoftCloud';

/** The Cloud Application Administrator role template: it may grant tenant-wide admin consent too. */
export const CLOUD_APP_ADMIN = '158c047a-c907-4556-b7ef-446551a6b5f7';

/**
 * A tenant whose admin consent is not granted yet, with Bob, a Cloud Application Administrator,
 * beside the global admin; `grant()` puts the consent back as an admin granting it would.
 */
export function tenantWithReviewers(cloud: FakeMicrosoftCloud, name: string) {
  const tenant = cloud.addTenant({ displayName: name });
  const grants = [...tenant.oauth2PermissionGrants];
  tenant.oauth2PermissionGrants.length = 0;
  const bob = tenant.addUser({ displayName: 'Bob Apps', alias: 'bob' });
  tenant.assignRole(bob.id, CLOUD_APP_ADMIN);
  return { tenant, admin: tenant.admin!, bob, grant: () => tenant.oauth2PermissionGrants.push(...grants) };
}

/** The request card a reviewer got 1:1, and its activity id there. */
export function reviewerCard(h: Harness, user: FakeUser): { card: Card; activityId: string; chat: string } {
  const chat = `a:1:personal-${user.id}`;
  const call = h.standIn.calls.find(
    (c) =>
      (c.route === 'sendToConversation' || c.route === 'replyToActivity') &&
      c.conversationId === chat &&
      c.status < 300,
  );
  if (!call) {
    throw new Error(
      `no card in ${chat}; calls: ${h.standIn.calls.map((c) => `${c.route} ${c.conversationId} ${c.status}`).join('; ')}`,
    );
  }
  const card = cardOf(call.body);
  expectValidCard(card);
  return { card, activityId: String((call.answer as { id?: string }).id), chat };
}
