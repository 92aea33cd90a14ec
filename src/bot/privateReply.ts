import { MessageFactory, type TurnContext } from 'botbuilder';
import { sendToPerson } from './personalChat';
import type { Logger } from '../util/logger';

/**
 * Tells the person who acted something only they need to know. In a personal chat that is a
 * reply; in a group chat or channel the bot opens (or reuses) its 1:1 chat with them, and only
 * if Teams refuses that does it answer in the conversation, mentioning them.
 */
export async function replyPrivately(
  context: TurnContext,
  text: string,
  botAppId: string,
  logger: Logger,
): Promise<void> {
  const activity = context.activity;
  if (activity.conversation?.conversationType === 'personal' || !activity.conversation?.isGroup) {
    await context.sendActivity(text);
    return;
  }
  const tenantId =
    (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
    activity.conversation.tenantId;
  try {
    await sendToPerson(
      context,
      botAppId,
      tenantId ?? '',
      { id: activity.from.id, name: activity.from.name },
      text,
    );
  } catch (err) {
    logger.warn('could not reply privately; answering in the conversation', { error: err });
    const mention = { type: 'mention', text: `<at>${activity.from.name}</at>`, mentioned: activity.from };
    const reply = MessageFactory.text(`${mention.text} ${text}`);
    reply.entities = [mention];
    await context.sendActivity(reply);
  }
}
