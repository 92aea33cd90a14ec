import type { Activity, ConversationParameters, TurnContext } from 'botbuilder';

/** CloudAdapter's createConversationAsync, which the adapter types do not expose on TurnContext. */
interface ConversationCreator {
  createConversationAsync(
    botAppId: string,
    channelId: string,
    serviceUrl: string,
    audience: string,
    parameters: ConversationParameters,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
}

/**
 * Opens (or reuses) the bot's 1:1 chat with one person of this turn's tenant and sends them an
 * activity there. Resolves with the new chat's context activity; throws what Teams answered
 * (403/404 when the bot is not installed for them). An error inside the send is rethrown here
 * rather than reaching the adapter's turn-error handler, which would answer the wrong person.
 */
export async function sendToPerson(
  context: TurnContext,
  botAppId: string,
  tenantId: string,
  member: { id: string; aadObjectId?: string; name?: string },
  activity: Partial<Activity> | string,
  afterSend?: (privateContext: TurnContext, activityId?: string) => Promise<void>,
): Promise<void> {
  const adapter = context.adapter as unknown as ConversationCreator;
  let failure: unknown;
  await adapter.createConversationAsync(
    botAppId,
    context.activity.channelId,
    context.activity.serviceUrl,
    'https://api.botframework.com',
    {
      isGroup: false,
      bot: context.activity.recipient,
      members: [{ id: member.id, aadObjectId: member.aadObjectId, name: member.name ?? '' }],
      tenantId,
      channelData: { tenant: { id: tenantId } },
    } as ConversationParameters,
    async (privateContext) => {
      try {
        const sent = await privateContext.sendActivity(activity);
        if (afterSend) await afterSend(privateContext, sent?.id);
      } catch (err) {
        failure = err;
      }
    },
  );
  if (failure) throw failure;
}
