import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as activities from './activities';
import type { Activity, TeamsConversation, TeamsUser } from './activities';
import { cardOf, findAction, inputValues, type Card } from './cards';
import type { ConnectorStandIn } from './connectorStandIn';
import { expectValidCard } from '../support/cardValidation';
import { CARD_DATA_VERSION } from '../../src/cards/universalActions';

/** The clientInfo entity a Teams client adds to the activities it sends. */
export interface ClientInfo {
  timezone?: string;
  locale?: string;
  country?: string;
  platform?: string;
}

/** What the bot answered to one HTTP post. */
export interface TurnResult {
  status: number;
  /** The JSON body of the HTTP answer (invoke responses), if any. */
  body: unknown;
  /** Activities the bot posted during the turn, in order. */
  replies: Activity[];
  /**
   * Cards replaced in place during the turn, as the person sees them: messages the bot updated
   * (`via: 'put'`, for everyone), then the card an Execute was answered with (`via: 'invoke'`:
   * Teams swaps it in for the person who clicked, with no message update).
   */
  updates: { activityId: string; activity: Activity; via: 'put' | 'invoke' }[];
  /** The Universal Actions answer of an Execute invoke, as Teams reads it; undefined otherwise. */
  invoke?: InvokeAnswer;
}

/** The body of an `adaptiveCard/action` invoke response. */
export interface InvokeAnswer {
  statusCode: number;
  type: string;
  value: unknown;
}

const INVOKE_CARD = 'application/vnd.microsoft.card.adaptive';
const INVOKE_MESSAGE = 'application/vnd.microsoft.activity.message';
const INVOKE_ERROR = 'application/vnd.microsoft.error';

function invokeAnswerOf(activity: Activity, body: unknown): InvokeAnswer | undefined {
  if (activity.type !== 'invoke' || activity.name !== 'adaptiveCard/action') return undefined;
  const answer = body as Partial<InvokeAnswer> | undefined;
  if (!answer || typeof answer.type !== 'string' || typeof answer.statusCode !== 'number') return undefined;
  return answer as InvokeAnswer;
}

/** The card an Execute was answered with (Teams swaps it in for the person); undefined if none. */
export function answerCard(result: TurnResult): Card | undefined {
  return result.invoke?.type === INVOKE_CARD ? (result.invoke.value as Card) : undefined;
}

/** The short message an Execute was answered with; undefined if it was answered otherwise. */
export function answerMessage(result: TurnResult): string | undefined {
  return result.invoke?.type === INVOKE_MESSAGE ? String(result.invoke.value) : undefined;
}

/** The error an Execute was answered with (status and sentence); undefined if it succeeded. */
export function answerError(
  result: TurnResult,
): { statusCode: number; code: string; message: string } | undefined {
  if (result.invoke?.type !== INVOKE_ERROR) return undefined;
  const value = result.invoke.value as { code?: unknown; message?: unknown };
  return { statusCode: result.invoke.statusCode, code: String(value.code), message: String(value.message) };
}

/**
 * The ids Teams matches a card's `refresh.userIds` against: the person's Teams user id, the
 * `29:…` id the bot gets as `activity.from.id` (Microsoft Learn, "Work with Universal Actions
 * for Adaptive Cards", User IDs in refresh). An Entra id in any form does not match.
 */
export function refreshIdsOf(user: TeamsUser): string[] {
  return [user.id];
}

/**
 * Posts an activity to the bot's /api/messages and returns its HTTP answer. Each post opens its
 * own connection: a kept-alive one can be closed by the server at the moment a busy test process
 * (a synchronous card render blocks timers) reuses it, which fails the post with ECONNRESET.
 */
export async function postActivity(
  botUrl: string,
  activity: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const payload = typeof activity === 'string' ? activity : JSON.stringify(activity);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = http.request(
      `${botUrl}/api/messages`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(payload)),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text.
  }
  return { status, body };
}

/**
 * One person in one Teams conversation, driving the bot over HTTP as the Teams client and
 * Bot Connector would. The bot answers within the turn, so a turn's replies are known when
 * its HTTP request ends.
 */
export class TeamsClient {
  constructor(
    readonly botUrl: string,
    readonly standIn: ConnectorStandIn,
    readonly user: TeamsUser,
    readonly conversation: TeamsConversation,
    /** What this person's Teams client reports about itself, sent as Teams does on every activity. */
    readonly clientInfo?: ClientInfo,
  ) {}

  /** The same conversation, as another person. */
  as(user: TeamsUser): TeamsClient {
    return new TeamsClient(this.botUrl, this.standIn, user, this.conversation, this.clientInfo);
  }

  /** The same person, on a Teams client that reports this time zone and locale. */
  withClientInfo(clientInfo: ClientInfo): TeamsClient {
    return new TeamsClient(this.botUrl, this.standIn, this.user, this.conversation, clientInfo);
  }

  async send(activity: Activity): Promise<TurnResult> {
    if (this.clientInfo) {
      const entities = Array.isArray(activity.entities) ? activity.entities : [];
      activity.entities = [...entities, { type: 'clientInfo', ...this.clientInfo }];
    }
    const before = this.standIn.calls.length;
    const { status, body } = await postActivity(this.botUrl, activity);
    const calls = this.standIn.calls.slice(before);
    const invoke = invokeAnswerOf(activity, body);
    const updates: TurnResult['updates'] = calls
      .filter((c) => c.route === 'updateActivity' && c.status < 300)
      .map((c) => ({ activityId: c.activityId!, activity: c.body!, via: 'put' as const }));
    if (invoke?.type === INVOKE_CARD) {
      updates.push({
        activityId: String(activity.replyToId ?? ''),
        activity: { type: 'message', attachments: [{ contentType: INVOKE_CARD, content: invoke.value }] },
        via: 'invoke',
      });
    }
    return {
      status,
      body,
      invoke,
      replies: calls
        .filter((c) => (c.route === 'sendToConversation' || c.route === 'replyToActivity') && c.status < 300)
        .map((c) => ({ ...c.body!, id: (c.answer as { id?: string } | undefined)?.id })),
      updates,
    };
  }

  say(text: string): Promise<TurnResult> {
    return this.send(activities.message(this.standIn.url, this.conversation, this.user, text));
  }

  /** Clicks the action titled `title` on `card` (posted as activity `cardActivityId`). */
  async click(
    card: Card,
    title: string,
    typed: Record<string, string> = {},
    cardActivityId: string = randomUUID(),
  ): Promise<TurnResult> {
    const action = findAction(card, title);
    const data = { ...((action.data as Record<string, unknown>) ?? {}) };
    if (action.type === 'Action.Submit') {
      return this.send(
        activities.submit(
          this.standIn.url,
          this.conversation,
          this.user,
          { ...inputValues(card, typed), ...data },
          cardActivityId,
        ),
      );
    }
    if (action.type === 'Action.Execute') {
      return this.send(
        activities.executeInvoke(
          this.standIn.url,
          this.conversation,
          this.user,
          String(action.verb),
          { ...inputValues(card, typed), ...data },
          cardActivityId,
        ),
      );
    }
    throw new Error(`cannot click a ${action.type} (${title}) as a message; open its URL or card instead`);
  }

  /**
   * What this person's Teams client does when it shows `card`: when the card carries `refresh`
   * and lists this person in `userIds` (or has no `userIds`: Teams then refreshes for every member
   * of a conversation of at most 60), an automatic Execute with the refresh action. `userIds: []`
   * turns automatic refresh off. Undefined when Teams would send nothing for this person.
   */
  async open(card: Card, cardActivityId: string = randomUUID()): Promise<TurnResult | undefined> {
    const refresh = card.refresh as
      | { action?: { type?: string; verb?: string; data?: Record<string, unknown> }; userIds?: string[] }
      | undefined;
    if (!refresh?.action || refresh.action.type !== 'Action.Execute') return undefined;
    if (Array.isArray(refresh.userIds)) {
      if (refresh.userIds.length > 60)
        throw new Error(`refresh lists ${refresh.userIds.length} users; Teams allows 60`);
      if (!refreshIdsOf(this.user).some((id) => refresh.userIds!.includes(id))) return undefined;
    }
    return this.send(
      activities.executeInvoke(
        this.standIn.url,
        this.conversation,
        this.user,
        String(refresh.action.verb),
        { ...(refresh.action.data ?? {}) },
        cardActivityId,
        'automatic',
      ),
    );
  }

  /** Posts an Execute with exactly this verb and data, as a forged or hand-made client would. */
  executeRaw(verb: string, data: Record<string, unknown>, replyToId?: string): Promise<TurnResult> {
    return this.send(
      activities.executeInvoke(this.standIn.url, this.conversation, this.user, verb, data, replyToId),
    );
  }

  /**
   * Posts a card action with exactly this value, as a forged or hand-made client would: an
   * Execute whose verb is `value.verb` and whose data is the rest, stamped with the current card
   * data version unless `value` sets `cardVersion` itself.
   */
  submitRaw(value: Record<string, unknown>, replyToId?: string): Promise<TurnResult> {
    const { verb, ...data } = value;
    return this.executeRaw(
      typeof verb === 'string' ? verb : '',
      { cardVersion: CARD_DATA_VERSION, ...data },
      replyToId,
    );
  }

  /** Posts an Action.Submit message with exactly this value, as a client of an old card would. */
  legacySubmit(value: Record<string, unknown>, replyToId?: string): Promise<TurnResult> {
    return this.send(activities.submit(this.standIn.url, this.conversation, this.user, value, replyToId));
  }

  install(action: 'add' | 'remove' = 'add'): Promise<TurnResult> {
    return this.send(activities.installationUpdate(this.standIn.url, this.conversation, this.user, action));
  }

  botAdded(): Promise<TurnResult> {
    return this.send(
      activities.conversationUpdate(this.standIn.url, this.conversation, this.user, { added: true }),
    );
  }

  botRemoved(): Promise<TurnResult> {
    return this.send(
      activities.conversationUpdate(this.standIn.url, this.conversation, this.user, { removed: true }),
    );
  }
}

/** The one card of the last reply of a turn. */
export function lastCard(result: TurnResult): Card {
  const reply = result.replies[result.replies.length - 1];
  return cardOf(reply);
}

/**
 * The card the person sees after a turn: the last card replaced in place (an Execute's answer
 * comes last), else the last one posted; validated for Teams on the way, since every card shown must be valid.
 */
export function shownCard(result: TurnResult): Card {
  const card =
    result.updates.length > 0
      ? cardOf(result.updates[result.updates.length - 1].activity)
      : cardOf(result.replies[result.replies.length - 1]);
  expectValidCard(card);
  return card;
}
