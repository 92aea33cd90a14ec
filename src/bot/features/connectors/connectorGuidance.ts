import { MessageFactory, type TurnContext } from 'botbuilder';
import { renderCard } from '../../../cards/render';
import { commandButton, messageCardData, messageCard } from '../../../cards/messageCard';
import { markdown, md } from '../../../cards/markdown';
import { moverRetirementCardData } from '../../../connectors/moverRetirement';
import { connectorType, MICROSOFT_SERVICE_CONNECTORS } from '../../../connectors/catalog';
import { resolveConnector } from '../../connectorResolver';
import type { ConnectorsFeatureDeps } from './connectorsDeps';

/** `rename <name>`: why a display name cannot change, with delete and keep buttons. */
export async function explainRename(
  deps: ConnectorsFeatureDeps,
  context: TurnContext,
  args: string,
): Promise<void> {
  const found = args ? await resolveConnector(context, deps.connectors, 'rename', args) : undefined;
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(
        messageCard,
        messageCardData({
          title: 'A connector’s display name cannot be changed',
          text: 'You are unable to change the display name of a connector. If you want to rename it, you must delete and re-add the connector.',
          style: 'warning',
          paragraphs: found
            ? [
                {
                  text: md`Deleting **${found.displayName}** is permanent; you then authorize a new connector with the name you want.`,
                },
              ]
            : [],
          buttons: found
            ? [
                commandButton('Delete and add again', 'delete', found.displayName, 'destructive'),
                commandButton('Keep it', 'status', found.displayName),
              ]
            : [],
        }),
      ),
    ),
  );
}

/** Words people wrap around a service's name ("which connector for SharePoint"): not part of it. */
const FILLER_WORDS = new Set([
  'connector',
  'connectors',
  'for',
  'the',
  'a',
  'an',
  'to',
  'use',
  'do',
  'i',
  'should',
  'is',
  '?',
]);

/** `which <service>`: the connector for a Microsoft service, with where migrating is supported today. */
export async function whichConnector(context: TurnContext, args: string): Promise<void> {
  const words = args
    .toLowerCase()
    .replace(/[?!.,]/g, ' ')
    .split(/\s+/)
    .filter((w) => w && !FILLER_WORDS.has(w));
  const wanted = words.join(' ');
  const rows = MICROSOFT_SERVICE_CONNECTORS.filter(
    (r) =>
      !wanted ||
      r.service.toLowerCase().includes(wanted) ||
      words.every((w) => r.service.toLowerCase().includes(w)),
  );
  const shown = rows.length > 0 ? rows : MICROSOFT_SERVICE_CONNECTORS;
  const types = [...new Set(shown.map((r) => r.connector))].map(connectorType);
  const retirement = moverRetirementCardData();
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(
        messageCard,
        messageCardData({
          title: 'Which connector to use for each Microsoft service',
          text:
            rows.length > 0 || !wanted
              ? 'Microsoft service → connector:'
              : `I do not know the service "${args.slice(0, 60)}". These are the Microsoft services:`,
          facts: shown.map((r) => ({ title: r.service, value: connectorType(r.connector).name })),
          // Seeds 002 and 003 open with Mover's retirement: where each migration is supported today.
          paragraphs: [
            { text: markdown(retirement.text) },
            ...types.map((type) => ({ text: md`**${type.name}**: ${type.supportText}` })),
          ],
          links: retirement.links,
          buttons: types
            .slice(0, 3)
            .map((type) =>
              commandButton(`Connect ${type.name.replace(/ Connector$/, '')}`, 'connect', type.id),
            ),
        }),
      ),
    ),
  );
}
