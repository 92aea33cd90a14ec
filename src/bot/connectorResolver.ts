import { MessageFactory, type TurnContext } from 'botbuilder';
import { renderCard } from '../cards/render';
import { commandButton, messageCardData, messageCard } from '../cards/messageCard';
import type { Connector } from '../connectors/connector';
import type { ConnectorService } from '../connectors/connectorService';
import type { CommandName } from './commandParser';
import { tenantIdOf } from './turnInfo';

/**
 * Finds the connector a command names in this turn's tenant. When the name is missing, unknown
 * or ambiguous it answers with the closest matches as buttons for the same command, and
 * returns undefined.
 */
export async function resolveConnector(
  context: TurnContext,
  connectors: Pick<ConnectorService, 'findByName'>,
  command: CommandName,
  name: string,
): Promise<Connector | undefined> {
  if (!name) {
    await context.sendActivity(
      `Which connector? Type ${command} followed by its name, for example: ${command} Finance migration.`,
    );
    return undefined;
  }
  const match = await connectors.findByName(tenantIdOf(context), name);
  if (match.kind === 'one') return match.item;
  const candidates = match.kind === 'ambiguous' ? match.items : match.suggestions;
  const verb = command.charAt(0).toUpperCase() + command.slice(1);
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(
        messageCard,
        messageCardData({
          title:
            match.kind === 'ambiguous'
              ? `Several connectors match "${name}"`
              : `No connector is called "${name}"`,
          text:
            candidates.length > 0
              ? 'Did you mean one of these?'
              : 'This tenant has no connectors yet. Type connect to authorize one.',
          style: 'warning',
          buttons: candidates
            .slice(0, 5)
            .map((c) => commandButton(`${verb} ${c.displayName}`, command, c.displayName)),
        }),
      ),
    ),
  );
  return undefined;
}
