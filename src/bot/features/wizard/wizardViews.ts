import type { Attachment, TurnContext } from 'botbuilder';
import type { TurnState } from '@microsoft/teams-ai';
import { renderCard } from '../../../cards/render';
import { messageCard, messageCardData } from '../../../cards/messageCard';
import { connectorType, type ConnectorTypeId } from '../../../connectors/catalog';
import type { WizardResult } from '../../../dialogs/stepCardDialog';
import type { WizardState } from '../../../dialogs/wizardFlow';
import type { Clock } from '../../../util/clock';
import type { Logger } from '../../../util/logger';
import { readerDates } from '../../../util/readerDates';
import type { CardDataResult } from '../../cardVerbs';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { CardActionError } from '../../universalActions';

/** What a wizard card's refresh and Refresh button carry: the wizard and the page the card shows. */
export interface WizardViewData {
  wizardId: string;
  page: string;
}

/** How a wizard of this conversation ended, kept so that its old cards can say so when refreshed. */
export interface WizardEnd {
  wizardId: string;
  outcome: 'completed' | 'cancelled' | 'connector-deleted';
  at: string;
  ownerName: string;
  type: string;
  displayName: string;
  reauthorize: boolean;
}

/** Ends remembered per conversation: cards older than these say only that the wizard is closed. */
export const WIZARD_ENDS_KEPT = 10;

/** What the refresh needs of the wizards: the one open here, and its dialog's step card. */
export interface WizardViews {
  logger: Logger;
  current(state: TurnState): WizardState | undefined;
  viewCard(context: TurnContext, open: WizardState): Attachment;
}

const MAX_ID = 100;

/** The refresh data, checked: it comes from a client and may be forged. */
export function wizardViewData(data: unknown): CardDataResult<WizardViewData> {
  const record = (data ?? {}) as Record<string, unknown>;
  const valid = (value: unknown): value is string =>
    typeof value === 'string' && value.length > 0 && value.length <= MAX_ID;
  if (!valid(record.wizardId) || !valid(record.page)) {
    return { error: 'This card does not say which wizard it shows, so there is nothing to refresh.' };
  }
  return { data: { wizardId: record.wizardId, page: record.page } };
}

function endsOf(state: TurnState): WizardEnd[] {
  const ends = (state.conversation as { wizardEnds?: unknown }).wizardEnds;
  return Array.isArray(ends) ? (ends as WizardEnd[]) : [];
}

/**
 * Remembers in conversation state how `open` ended (written in the turn that ended it, with the
 * dialog state), so that a refresh of one of its cards can say so without another read.
 */
export function recordWizardEnd(
  state: TurnState,
  open: WizardState,
  result: Pick<WizardResult, 'status' | 'connector' | 'connectorDeleted'>,
  clock: Clock,
): void {
  const outcome = result.connectorDeleted
    ? 'connector-deleted'
    : result.status === 'completed'
      ? 'completed'
      : 'cancelled';
  const end: WizardEnd = {
    wizardId: open.wizardId,
    outcome,
    at: clock.now().toISOString(),
    ownerName: open.owner.name,
    type: open.type,
    displayName: result.connector?.displayName ?? open.displayName,
    reauthorize: open.reauthorize,
  };
  const kept = endsOf(state).filter((e) => e.wizardId !== open.wizardId);
  (state.conversation as { wizardEnds?: WizardEnd[] }).wizardEnds = [end, ...kept].slice(0, WIZARD_ENDS_KEPT);
}

/** The card of a wizard that is no longer open: how it ended, or that it is closed. */
function endedCard(context: TurnContext, end: WizardEnd | undefined, logger: Logger): Attachment {
  if (!end) {
    return renderCard(
      messageCard,
      messageCardData({
        title: 'This wizard is no longer open',
        text: 'This wizard is no longer open in this conversation. Type connect to start one.',
      }),
    );
  }
  const date = readerDates(context, logger).dateTime(end.at);
  const typeName = connectorType(end.type as ConnectorTypeId).name;
  if (end.outcome === 'completed') {
    return renderCard(
      messageCard,
      messageCardData({
        title: 'Authorization finished',
        text: `${end.ownerName} finished the ${typeName} wizard for "${end.displayName}" on ${date}. Type status ${end.displayName} to see the connector now.`,
        style: 'good',
      }),
    );
  }
  if (end.outcome === 'connector-deleted') {
    return renderCard(
      messageCard,
      messageCardData({
        title: 'This connector no longer exists',
        text: `It was deleted while ${end.ownerName} was reauthorizing it, so nothing was saved.`,
        style: 'warning',
      }),
    );
  }
  return renderCard(
    messageCard,
    messageCardData({
      title: 'Authorization cancelled',
      text: `${end.ownerName} cancelled the ${typeName} wizard on ${date}, so nothing was saved.${end.reauthorize ? ' The connector keeps its current authorization.' : ''}`,
    }),
  );
}

/**
 * A wizard card's refresh (automatic for the starter, the Refresh button for anyone): the step
 * the wizard is on now, with the controls for the person who started it and read-only for
 * anyone else, or how it ended. Reads the conversation's state only; writes nothing.
 */
export async function wizardView(
  wizards: WizardViews,
  context: TurnContext,
  state: TurnState,
  data: WizardViewData,
): Promise<Attachment> {
  const open = wizards.current(state);
  if (open && open.wizardId === data.wizardId) {
    if (open.tenantId !== tenantIdOf(context)) {
      throw new CardActionError(404, 'This wizard is not one of your tenant’s, so there is nothing to show.');
    }
    wizards.logger.info('wizard card refreshed', {
      wizardId: open.wizardId,
      movedOn: open.page !== data.page,
      starter: actorOf(context).id === open.owner.id,
    });
    return wizards.viewCard(context, open);
  }
  const end = endsOf(state).find((e) => e.wizardId === data.wizardId);
  wizards.logger.info('wizard card refreshed', { wizardId: data.wizardId, ended: end?.outcome ?? 'unknown' });
  return endedCard(context, end, wizards.logger);
}
