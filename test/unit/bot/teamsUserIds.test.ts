import type { ConversationRecord } from '../../../src/connectors/ports';
import { REREADABLE_KEPT_IDLE_MS, TeamsUserIds, UNSEEN_RETRY_MS } from '../../../src/bot/teamsUserIds';

const TENANT = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const ADA = '0b7c2f4e-8d0e-4a55-9a55-2f3f4b8f1c11';
const LEE = '9a4e1b2c-3d5f-4e6a-8b7c-1d2e3f4a5b6c';

/** A conversation store that knows personal chats by Entra id and counts its reads. */
function personalChats(records: Record<string, string>) {
  const reads: string[] = [];
  return {
    reads,
    async findPersonal(tenantId: string, userId: string): Promise<ConversationRecord | undefined> {
      reads.push(userId);
      const teamsId = tenantId === TENANT ? records[userId] : undefined;
      if (!teamsId) return undefined;
      return {
        tenantId,
        conversationId: `a:1${userId}`,
        conversationType: 'personal',
        reference: { user: { id: teamsId, name: 'Someone', aadObjectId: userId } } as never,
        userId,
        updatedAt: '2026-03-01T09:00:00.000Z',
      } as ConversationRecord;
    },
  };
}

describe('TeamsUserIds', () => {
  let now = new Date('2026-03-01T09:00:00.000Z');
  const clock = { now: () => now };

  test('names people by the 29: id Teams sent, never by their Entra id', async () => {
    const ids = new TeamsUserIds(personalChats({}), clock);
    ids.learn(TENANT, ADA.toUpperCase(), '29:1adaOpaque');
    ids.learn(TENANT, LEE, `8:orgid:${LEE}`);
    expect(await ids.lookup(TENANT, [ADA, LEE])).toEqual(['29:1adaOpaque']);
    // Another tenant's person with the same object id is not known there.
    expect(await ids.lookup('9f8e7d6c-5b4a-4398-8765-43210fedcba9', [ADA])).toEqual([]);
  });

  test('finds a person through their stored 1:1 chat once, then remembers them', async () => {
    const store = personalChats({ [LEE]: '29:1leeOpaque' });
    const ids = new TeamsUserIds(store, clock);
    expect(await ids.lookup(TENANT, [LEE])).toEqual(['29:1leeOpaque']);
    expect(await ids.lookup(TENANT, [LEE])).toEqual(['29:1leeOpaque']);
    expect(store.reads).toEqual([LEE]);
  });

  test('someone never seen is asked for again only after a while', async () => {
    const records: Record<string, string> = {};
    const store = personalChats(records);
    const ids = new TeamsUserIds(store, clock);
    expect(await ids.lookup(TENANT, [ADA])).toEqual([]);
    records[ADA] = '29:1adaOpaque';
    expect(await ids.lookup(TENANT, [ADA])).toEqual([]);
    expect(store.reads).toHaveLength(1);
    now = new Date(now.getTime() + UNSEEN_RETRY_MS + 1);
    expect(await ids.lookup(TENANT, [ADA])).toEqual(['29:1adaOpaque']);
  });

  test('someone seen in their 1:1 is forgotten once idle and read again from the store; someone seen only in a channel is kept', async () => {
    const store = personalChats({ [ADA]: '29:1adaOpaque' });
    const ids = new TeamsUserIds(store, clock);
    const turn = (aadObjectId: string, id: string, conversationType: string) =>
      ({ activity: { from: { id, aadObjectId }, conversation: { id: 'c', conversationType } } }) as never;
    ids.learnFrom(turn(ADA, '29:1adaOpaque', 'personal'), TENANT);
    ids.learnFrom(turn(LEE, '29:1leeOpaque', 'channel'), TENANT);
    expect(await ids.lookup(TENANT, [ADA, LEE])).toEqual(['29:1adaOpaque', '29:1leeOpaque']);
    expect(store.reads).toEqual([]);
    now = new Date(now.getTime() + 2 * REREADABLE_KEPT_IDLE_MS + 1);
    expect(await ids.lookup(TENANT, [ADA, LEE])).toEqual(['29:1adaOpaque', '29:1leeOpaque']);
    // Only the 1:1 chat's person is read again: no store holds what a channel turn showed.
    expect(store.reads).toEqual([ADA]);
    // Used now, so remembered again.
    expect(await ids.lookup(TENANT, [ADA])).toEqual(['29:1adaOpaque']);
    expect(store.reads).toEqual([ADA]);
  });

  test('stops at the limit without reading the store for the rest', async () => {
    const store = personalChats({ [ADA]: '29:1adaOpaque', [LEE]: '29:1leeOpaque' });
    const ids = new TeamsUserIds(store, clock);
    expect(await ids.lookup(TENANT, [ADA, LEE], 1)).toEqual(['29:1adaOpaque']);
    expect(store.reads).toEqual([ADA]);
  });
});
