import type { TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { ConversationStore } from '../connectors/ports';
import type { Clock } from '../util/clock';
import { BoundedMap } from '../util/boundedMap';
import { normalizeTenantId } from '../util/ids';
import { RecentMap } from '../util/recentMap';
import { unrefLater, type Later } from '../util/later';
import { conversationTypeOf } from './turnInfo';

/** People whose Teams id is remembered at once; the least recently used are forgotten first. */
export const TEAMS_IDS_REMEMBERED = 10_000;

/** How long "the bot has not seen this person" is trusted before the store is asked again. */
export const UNSEEN_RETRY_MS = 10 * 60 * 1000;

/**
 * How long an answer the store can give again (a person seen in their 1:1 chat, a store read)
 * stays remembered without being used (up to twice this); then it costs one store read.
 */
export const REREADABLE_KEPT_IDLE_MS = 2 * 60 * 1000;

/**
 * The Teams user ids (`29:…`, the bot's own id for a person) of Entra users, as a card's
 * `refresh.userIds` must name them.
 *
 * Why `29:` ids and not `8:orgid:<Entra id>`: Microsoft's "Work with Universal Actions for
 * Adaptive Cards" (section "User IDs in refresh") says userIds are user MRIs taken from
 * `turnContext.Activity.From.Id` or the roster (`TeamsInfo.getMember(...).id`) and gives
 * `29:1bSnHZ7Js2…` as the sample; the samples bot-sequential-flow-adaptive-cards
 * (`userIds: allMembers.map(m => m.id)`) and bot-adaptivecards-user-specific-views
 * (`context.activity.from.id`) and TeamsFx's workflow bot ("Auto-refresh to user-specific view":
 * `[context.activity.from.id]`) do the same. No Microsoft source uses `8:orgid:`.
 *
 * A `29:` id cannot be computed from an Entra id, so it is learned from what Teams sends: the
 * sender of every activity and members added to a conversation (remembered here, bounded), and
 * the person of a stored personal conversation (the store, so another replica's knowledge and a
 * restart do not lose it). Someone the bot has never seen is left out of `userIds`; they get
 * the card everyone gets and its Refresh button, and the server checks every click anyway.
 */
export class TeamsUserIds {
  /**
   * By {@link personKey}, the `29:` ids only the turns that showed them know (a sender in a
   * channel or group chat, a member added). A string rather than an object, and keys joined
   * flat: about 240 bytes a person (measured with Teams-length ids), 2.4 MB when full.
   */
  private readonly known = new BoundedMap<string, string>(TEAMS_IDS_REMEMBERED);
  /**
   * By {@link personKey}, what the store can tell again: the `29:` id of someone seen in their
   * 1:1 chat (whose reference conversation tracking has stored before this learns it) or read
   * from the store, or until when "not seen" holds. Forgotten once unused for a while, so it
   * does not grow with every person of the last hours.
   */
  private readonly rereadable: RecentMap<string, string | number>;

  constructor(
    private readonly conversations: Pick<ConversationStore, 'findPersonal'>,
    private readonly clock: Clock,
    later: Later = unrefLater,
  ) {
    // Emptied on a timer once traffic stops: the store gives every entry again.
    this.rereadable = new RecentMap(
      REREADABLE_KEPT_IDLE_MS,
      TEAMS_IDS_REMEMBERED,
      () => clock.now().getTime(),
      later,
    );
  }

  /**
   * Remembers that Teams calls this Entra user `teamsId` in this tenant; `inStore` when their
   * 1:1 chat's stored reference names them so (then it may be forgotten and read again).
   */
  learn(
    tenantId: string,
    aadObjectId: string | undefined,
    teamsId: string | undefined,
    inStore = false,
  ): void {
    if (!aadObjectId || !teamsId?.startsWith('29:')) return;
    const key = personKey(tenantId, aadObjectId);
    if (inStore) {
      this.known.delete(key);
      this.rereadable.set(key, teamsId);
    } else if (this.rereadable.get(key) !== teamsId) {
      this.known.set(key, teamsId);
    }
  }

  /**
   * Learns the sender of this turn and anyone it adds to the conversation. The sender of a 1:1
   * chat is in the store: conversation tracking, which runs first, stored that chat's reference.
   */
  learnFrom(context: TurnContext, tenantId: string): void {
    const { from, membersAdded } = context.activity;
    this.learn(tenantId, from?.aadObjectId, from?.id, conversationTypeOf(context) === 'personal');
    for (const member of membersAdded ?? []) this.learn(tenantId, member.aadObjectId, member.id);
  }

  /**
   * The `29:` ids of the first `limit` Entra users the bot has seen, in order; unseen people are
   * left out. A person not remembered costs one store read, then is remembered either way.
   */
  async lookup(tenantId: string, aadObjectIds: readonly string[], limit = Infinity): Promise<string[]> {
    const ids = new Set<string>();
    for (const aad of aadObjectIds) {
      if (ids.size >= limit) break;
      const id = await this.one(tenantId, aad);
      if (id) ids.add(id);
    }
    return [...ids];
  }

  private async one(tenantId: string, aadObjectId: string): Promise<string | undefined> {
    const key = personKey(tenantId, aadObjectId);
    const now = this.clock.now().getTime();
    const cached = this.known.get(key) ?? this.rereadable.get(key);
    if (typeof cached === 'string') return cached;
    if (cached !== undefined && cached > now) return undefined;
    // The reference of the person's 1:1 with the bot names them as Teams does.
    const personal = await this.conversations.findPersonal(tenantId, aadObjectId);
    const teamsId = personal?.reference.user?.id;
    if (teamsId?.startsWith('29:')) {
      this.rereadable.set(key, teamsId);
      return teamsId;
    }
    this.rereadable.set(key, now + UNSEEN_RETRY_MS);
    return undefined;
  }
}

/**
 * A person's key: joined into one flat string, where a template literal would keep a chain of
 * the activity's strings alive for as long as the entry.
 */
function personKey(tenantId: string, aadObjectId: string): string {
  return [tenantId, aadObjectId.toLowerCase()].join('/');
}

/** Learns people's Teams ids from every activity, before any route runs. */
export function registerTeamsUserIdLearning(app: Application<TurnState>, teamsUserIds: TeamsUserIds): void {
  app.turn('beforeTurn', async (context) => {
    const channelData = context.activity.channelData as { tenant?: { id?: unknown } } | undefined;
    // A turn without a tenant is refused later (tenantIdOf); nothing is learned from it.
    const tenantId = normalizeTenantId(channelData?.tenant?.id ?? context.activity.conversation?.tenantId);
    if (tenantId) teamsUserIds.learnFrom(context, tenantId);
    return true;
  });
}
