import { MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
import type { Logger } from '../util/logger';

/**
 * Replaces the card the button was on (the activity `replyToId` names), or posts the card anew
 * when there is none or Teams refuses the update.
 */
export async function replaceCard(
  context: TurnContext,
  attachment: Attachment,
  logger: Logger,
): Promise<void> {
  const id = context.activity.replyToId;
  if (id) {
    try {
      await context.updateActivity({ type: 'message', id, attachments: [attachment] });
      return;
    } catch (err) {
      logger.warn('card update failed; posting instead', { error: err });
    }
  }
  await context.sendActivity(MessageFactory.attachment(attachment));
}
