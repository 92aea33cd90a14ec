import type { Activity, ResourceResponse } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { Conversations } from 'botframework-connector/lib/connectorApi/operations/conversations';
import { randomUUID } from 'node:crypto';
import { cardJson, hasCardJson } from '../cards/render';

type OperationSpec = Parameters<ConnectorClient['sendOperationRequest']>[1];
type Mapper = NonNullable<OperationSpec['requestBody']>['mapper'];

/** A Bot Connector operation that carries an activity, sent with the activity's JSON as bytes. */
interface ActivityOperation {
  /** The operation, its request body taken as the bytes given. */
  spec: OperationSpec;
  /** How botframework-connector serializes the activity of this operation. */
  activity: Mapper;
}

/**
 * The operation botframework-connector sends for a reply or a post, read from its own
 * `Conversations` (path, conversation id header, response mappers and serializer), so that the
 * request is the one it makes; only the body is given as bytes.
 */
function activityOperation(send: (conversations: Conversations) => unknown): ActivityOperation {
  let spec: OperationSpec | undefined;
  const recorder = {
    sendOperationRequest(_args: unknown, operationSpec: OperationSpec) {
      spec = operationSpec;
      return Promise.resolve({});
    },
  };
  send(new Conversations(recorder as unknown as ConstructorParameters<typeof Conversations>[0]));
  if (!spec?.requestBody?.mapper) throw new Error('botframework-connector sends no activity body');
  const bytes: Mapper = { serializedName: 'activity', required: true, type: { name: 'Stream' } };
  return {
    spec: { ...spec, requestBody: { parameterPath: 'activity', mapper: bytes } },
    activity: spec.requestBody.mapper,
  };
}

const REPLY = activityOperation((c) => c.replyToActivity('', '', {} as Activity));
const POST = activityOperation((c) => c.sendToConversation('', {} as Activity));

/** Stands for a card whose JSON is already made while the rest of the activity is serialized. */
const CARD_STAND_IN = `\uE005card-${randomUUID()}\uE005`;
const CARD_MARK = JSON.stringify(CARD_STAND_IN);

/** Whether this is a message with a kept card among its attachments (see {@link keptCardBody}). */
export function carriesKeptCard(activity: Partial<Activity>): boolean {
  return (
    activity?.type === 'message' &&
    Array.isArray(activity.attachments) &&
    activity.attachments.some((attachment) => hasCardJson(attachment?.content))
  );
}

/**
 * The activity's JSON as botframework-connector would send it (its Activity mapper, then
 * `JSON.stringify`), with each kept card's JSON put in as made once ({@link cardJson}) instead of
 * serialized again; undefined when no attachment is such a card, or the activity's own text
 * holds the stand-in.
 */
export function keptCardBody(activity: Partial<Activity>): Buffer | undefined {
  const attachments = activity.attachments;
  if (!Array.isArray(attachments) || attachments.length === 0) return undefined;
  const cards = attachments.map((attachment) => cardJson(attachment?.content));
  const made = cards.filter((parts) => parts !== undefined);
  if (made.length === 0) return undefined;
  const marked = {
    ...activity,
    attachments: attachments.map((a, i) => (cards[i] ? { ...a, content: CARD_STAND_IN } : a)),
  };
  const operation = activity.replyToId ? REPLY : POST;
  const text = JSON.stringify(operation.spec.serializer.serialize(operation.activity, marked, 'activity'));
  const between = text.split(CARD_MARK);
  if (between.length !== made.length + 1) return undefined;
  const parts: Buffer[] = [Buffer.from(between[0])];
  made.forEach((card, i) => parts.push(...card, Buffer.from(between[i + 1])));
  return Buffer.concat(parts);
}

/**
 * Sends a message whose cards are kept ({@link keptCardBody}) as botbuilder's CloudAdapter
 * sends any activity (a reply when it answers one, else a post), through the turn's connector
 * client and its pipeline (credentials, reply pacing and retries, logging): only the body's JSON
 * is made here. Undefined when the activity is not such a message; the caller sends it as usual.
 */
export async function sendKeptCard(
  client: ConnectorClient | undefined,
  activity: Partial<Activity>,
): Promise<ResourceResponse | undefined> {
  if (!client || !carriesKeptCard(activity) || !activity.conversation?.id) return undefined;
  const body = keptCardBody(activity);
  if (!body) return undefined;
  delete activity.id;
  const conversationId = activity.conversation.id;
  const sent = activity.replyToId
    ? client.sendOperationRequest(
        { conversationId, activityId: activity.replyToId, activity: body },
        REPLY.spec,
      )
    : client.sendOperationRequest({ conversationId, activity: body }, POST.spec);
  // As CloudAdapter: the Bot Connector's ResourceResponse, or an empty id when it sent none.
  return ((await sent) as unknown as ResourceResponse | undefined) ?? { id: '' };
}
