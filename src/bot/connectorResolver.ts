import { MessageFactory, type TurnContext } from 'botbuilder';
import { renderCard } from '../cards/render';
import { commandButton, messageCardData, messageCard } from '../cards/messageCard';
import type { Connector } from '../connectors/connector';
import type { ConnectorService } from '../connectors/connectorService';
import type { CommandName } from './commandParser';
import { tenantIdOf } from './turnInfo';
import { isExactName } from '../connectors/nameMatching';

/** The turn-state key of the connector id a clicked button named. */
const NAMED_BY_BUTTON = Symbol('connector named by a button');

/**
 * A button names its connector by id: the command it runs resolves that connector, not the
 * first or every connector with its name (two connectors may share one).
 */
export function nameConnectorById(context: TurnContext, connectorId: string): void {
  context.turnState.set(NAMED_BY_BUTTON, connectorId);
}

/**
 * Finds the connector a command names in this turn's tenant: by the id a clicked button gave,
 * else by name. When the name is missing, unknown or ambiguous it answers with the closest
 * matches as buttons for the same command (each naming its connector by id), and returns
 * undefined.
 */
export async function resolveConnector(
  context: TurnContext,
  connectors: Pick<ConnectorService, 'findByName' | 'get'>,
  command: CommandName,
  name: string,
  options: { exactName?: boolean } = {},
): Promise<Connector | undefined> {
  const id = context.turnState.get(NAMED_BY_BUTTON) as string | undefined;
  if (id) {
    // Looked up in this turn's tenant only: another tenant's id finds nothing.
    const connector = await connectors.get(tenantIdOf(context), id);
    if (connector) return connector;
    await context.sendActivity(
      'The connector this button names is no longer in this tenant, so nothing was changed. Type connectors to see the current ones.',
    );
    return undefined;
  }
  if (!name) {
    await context.sendActivity(
      `Which connector? Type ${command} followed by its name, for example: ${command} Finance migration.`,
    );
    return undefined;
  }
  const match = await connectors.findByName(tenantIdOf(context), name);
  if (match.kind === 'one' && (!options.exactName || isExactName(match.item, name))) return match.item;
  // A command that changes a connector at once takes its whole name: a part of one is a suggestion.
  const candidates =
    match.kind === 'one' ? [match.item] : match.kind === 'ambiguous' ? match.items : match.suggestions;
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
          buttons: candidates.slice(0, 5).map((c) => {
            // Connectors that share a name are told apart by type and creation date.
            const shared = candidates.filter((o) => o.displayName === c.displayName).length > 1;
            const title = shared
              ? `${verb} ${c.displayName} (${c.type}, created ${c.createdAt.slice(0, 10)} UTC)`
              : `${verb} ${c.displayName}`;
            return commandButton(title, command, c.displayName, 'default', c.id);
          }),
        }),
      ),
    ),
  );
  return undefined;
}
