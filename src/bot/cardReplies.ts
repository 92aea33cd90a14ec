import { MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
import type { Logger } from '../util/logger';
import { answerInPlace } from '../cards/cardTurn';

/**
 * Replaces the card the button was on: for an Action.Execute, as the invoke's answer (only the
 * person who clicked sees it swapped, and no update can race a second click); otherwise by
 * updating the message `replyToId` names, or posting the card anew when there is none or Teams
 * refuses the update.
 */
export async function replaceCard(
  context: TurnContext,
  attachment: Attachment,
  logger: Logger,
): Promise<void> {
  if (answerInPlace(context, attachment)) return;
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
