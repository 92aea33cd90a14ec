import { mdText } from '../../../cards/markdown';
import { MessageFactory, type TurnContext } from 'botbuilder';
import { refuse } from '../../universalActions';
import { isCardExecute } from '../../../cards/cardTurn';
// From their modules, not the package index (see src/bot/onDemandModules.ts).
import { DialogTurnStatus } from 'botbuilder-dialogs/lib/dialog';
import type { DialogState } from 'botbuilder-dialogs/lib/dialogContext';
import { DialogSet } from 'botbuilder-dialogs/lib/dialogSet';
import type { TurnState } from '@microsoft/teams-ai';
import { renderCard } from '../../../cards/render';
import { connectorPickerCard, type ConnectorPickerCardData } from '../../../cards/wizardCards';
import { messageCardData, messageCard, type MessageButton } from '../../../cards/messageCard';
import {
  CATALOG_GROUP_TITLES,
  connectorType,
  CONNECTOR_TYPES,
  findConnectorType,
  MICROSOFT_SERVICE_CONNECTORS,
  type CatalogGroup,
  type ConnectorTypeId,
} from '../../../connectors/catalog';
import { moverRetirementCardData } from '../../../connectors/moverRetirement';
import { retirementNotice } from '../../../cards/helpCards';
import type { ConnectorService } from '../../../connectors/connectorService';
import type { ConnectorLifecycle } from '../../../connectors/lifecycle';
import { isConnectorId } from '../../../connectors/connector';
import { ConnectorWizardDialog, wizardDialogId } from '../../../dialogs/connectorWizardDialog';
import { continueActiveDialog } from '../../../dialogs/continueActiveDialog';
import { DialogStateConfiguration } from '../../../dialogs/dialogStateConfiguration';
import { DIALOG_STATE, dialogStateProperty } from '../../../dialogs/dialogStateProperty';
import {
  WIZARD_VERB,
  WIZARD_VIEW_VERB,
  type WizardResult,
  type WizardStartOptions,
} from '../../../dialogs/stepCardDialog';
import type { WizardFlow, WizardState } from '../../../dialogs/wizardFlow';
import type { CommandRouter } from '../../commandRouter';
import { chatCommand, type FeatureTables } from '../../chatCommands';
import { WIZARD_COMMANDS } from './wizardCommands';
import type { BotDeps } from '../../deps';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { nameConnectorById, resolveConnector } from '../../connectorResolver';
import { cardVerb, recordVerb } from '../../cardVerbs';
import { recordWizardEnd, wizardView, wizardViewData, type WizardViews } from './wizardViews';

/** Verb of the "Resume" / "Start over" buttons shown when a wizard is already open. */
export const WIZARD_CONTROL_VERB = 'wizardControl';

const GROUP_ORDER: CatalogGroup[] = ['microsoft', 'other-cloud', 'storage'];

/** The card of `connect` with no type: the catalog grouped as the seeds group it. */
export function pickerCardData(): ConnectorPickerCardData {
  return {
    groups: GROUP_ORDER.map((group) => ({
      title: CATALOG_GROUP_TITLES[group],
      services:
        group === 'microsoft'
          ? MICROSOFT_SERVICE_CONNECTORS.map((s) => ({
              service: s.service,
              connector: connectorType(s.connector).name,
            }))
          : [],
      types: CONNECTOR_TYPES.filter((t) => t.group === group).map(({ id, name, summary, supportText }) => ({
        id,
        name,
        summary,
        supportText,
      })),
    })),
    retirement: retirementNotice(moverRetirementCardData()),
  };
}

export interface WizardFeatureDeps extends Pick<BotDeps, 'config' | 'logger' | 'clock' | 'messenger'> {
  /** Finds the connector to reauthorize, checks who may, and records the end of a wizard. */
  connectors: ConnectorService;
  /** Audits wizard starts, steps and cancellations. */
  lifecycle: Pick<ConnectorLifecycle, 'audit'>;
  flows: WizardFlow[];
}

/** The open wizard of a conversation, read from dialog state without running it. */
function openWizard(dialogState: DialogState | undefined): WizardState | undefined {
  const component = dialogState?.dialogStack?.[0];
  const inner = (component?.state as { dialogs?: DialogState } | undefined)?.dialogs?.dialogStack?.[0];
  return (inner?.state as { wizard?: WizardState } | undefined)?.wizard;
}

/**
 * The wizard dialogs of every connector type, and what the commands and buttons do with the one
 * open in a conversation. Dialog state lives in the conversation's turn state, which the store
 * keeps across restarts.
 */
class Wizards implements WizardViews {
  private readonly dialogs: ConnectorWizardDialog[];
  private readonly stateConfiguration = new DialogStateConfiguration();
  readonly logger: WizardFeatureDeps['logger'];

  constructor(
    readonly deps: WizardFeatureDeps,
    /** `Start over` of a reauthorization runs `reauthorize <name>` again through the router. */
    readonly router: CommandRouter,
  ) {
    // A shared chat's wizard card refreshes for its starter alone, by the Teams id Teams gave
    // when they started it; a wizard stored before that was kept has none, so only Refresh.
    const stepDeps = {
      ...deps,
      refreshIdsOf: (owner: WizardState['owner']) => (owner.teamsId ? [owner.teamsId] : []),
    };
    this.dialogs = deps.flows.map((flow) => new ConnectorWizardDialog(flow, stepDeps));
    this.logger = deps.logger;
  }

  viewCard(context: TurnContext, open: WizardState) {
    return this.dialogOf(open).steps.viewCard(context, open, actorOf(context));
  }

  /** Ends the open wizard as cancelled: its card says so, the cancellation is audited and remembered. */
  async cancelOpen(context: TurnContext, state: TurnState, open: WizardState): Promise<void> {
    const dc = await this.dialogContext(context, state);
    await this.dialogOf(open).steps.showCancelled(context, open);
    await dc.cancelAllDialogs();
    recordWizardEnd(state, open, { status: 'cancelled' }, this.deps.clock);
  }

  async dialogContext(context: TurnContext, state: TurnState) {
    const set = new DialogSet(dialogStateProperty(state.conversation as Record<string, unknown>));
    this.dialogs.forEach((d) => set.add(d));
    this.stateConfiguration.prepare(context);
    return this.stateConfiguration.keep(await set.createContext(context));
  }

  current(state: TurnState): WizardState | undefined {
    return openWizard((state.conversation as Record<string, DialogState | undefined>)[DIALOG_STATE]);
  }

  dialogOf(open: WizardState): ConnectorWizardDialog {
    return this.dialogs.find((d) => d.id === wizardDialogId(open.type as ConnectorTypeId))!;
  }

  async start(
    context: TurnContext,
    state: TurnState,
    type: ConnectorTypeId,
    existing?: WizardStartOptions['existing'],
  ): Promise<void> {
    const dc = await this.dialogContext(context, state);
    await dc.cancelAllDialogs();
    const actor = actorOf(context);
    const options: WizardStartOptions = {
      tenantId: tenantIdOf(context),
      owner: { id: actor.id, name: actor.name, teamsId: context.activity.from?.id },
      existing,
    };
    await dc.beginDialog(wizardDialogId(type), options);
    await this.deps.lifecycle.audit(
      { tenantId: options.tenantId, id: this.current(state)?.connectorId ?? '' },
      actor,
      existing ? 'reauthorization.started' : 'wizard.started',
      { type },
    );
  }

  async outOfDate(context: TurnContext, why: string): Promise<void> {
    this.deps.logger.info('stale or foreign wizard click', { why });
    await context.sendActivity(
      'This card is out of date, so nothing was changed. Type connect to start again, or use the latest card.',
    );
  }

  /** Checks a wizard button click against the open wizard; answers and returns undefined when it does not fit. */
  async checkClick(
    context: TurnContext,
    state: TurnState,
    data: Record<string, unknown>,
  ): Promise<WizardState | undefined> {
    const open = this.current(state);
    if (!open || typeof data.wizardId !== 'string' || data.wizardId !== open.wizardId) {
      await this.outOfDate(context, open ? 'another wizard' : 'no open wizard');
      return undefined;
    }
    if (open.tenantId !== tenantIdOf(context)) {
      await this.outOfDate(context, 'another tenant');
      return undefined;
    }
    if (open.owner.id !== actorOf(context).id) {
      // The invoke's error answer reaches the person who clicked alone.
      await refuse(
        context,
        403,
        `Only ${open.owner.name}, who started this wizard, can use its buttons. Type connect to start your own.`,
      );
      return undefined;
    }
    return open;
  }
}

/** A "Resume" or "Start over" button of the card shown when a wizard is already open. */
function controlButton(
  open: WizardState,
  move: 'resume' | 'restart',
  requested: { command: string; args: string; connectorId?: string },
): MessageButton {
  return {
    title: move === 'resume' ? 'Resume' : 'Start over',
    style: move === 'resume' ? 'positive' : 'destructive',
    verb: WIZARD_CONTROL_VERB,
    command: requested.command,
    args: requested.args,
    wizardId: open.wizardId,
    move,
    connectorId: requested.connectorId ?? '',
  };
}

/** Asks whether to resume the open wizard or to start over with what was requested (`command args`). */
async function askResumeOrRestart(
  wizards: Wizards,
  context: TurnContext,
  open: WizardState,
  requested: { command: 'connect' | 'reauthorize'; args: string; connectorId?: string },
): Promise<void> {
  const at = wizards.dialogOf(open)?.steps.describePage(context, open) ?? open.page;
  await context.sendActivity(
    MessageFactory.attachment(
      renderCard(
        messageCard,
        messageCardData({
          title: 'A wizard is already open here',
          text: `${open.owner.name} started authorizing the ${connectorType(open.type as ConnectorTypeId).name}${open.displayName ? ` (${open.displayName})` : ''} and is at "${at}". Resume it, or start over?`,
          buttons: [
            controlButton(open, 'resume', { command: '', args: '' }),
            controlButton(open, 'restart', requested),
          ],
        }),
      ),
    ),
  );
}

async function sendPicker(context: TurnContext): Promise<void> {
  await context.sendActivity(MessageFactory.attachment(renderCard(connectorPickerCard, pickerCardData())));
}

/** `connect [type]`: the picker, or the wizard of that type (asking first when one is open). */
async function connect(
  wizards: Wizards,
  context: TurnContext,
  state: TurnState,
  args: string,
): Promise<void> {
  const open = wizards.current(state);
  if (!args) {
    if (open) return askResumeOrRestart(wizards, context, open, { command: 'connect', args: '' });
    await sendPicker(context);
    return;
  }
  const type = findConnectorType(args);
  if (!type) {
    await context.sendActivity(
      mdText`I do not know a connector type "${args.slice(0, 60)}". Pick one from the list:`,
    );
    await sendPicker(context);
    return;
  }
  if (open) return askResumeOrRestart(wizards, context, open, { command: 'connect', args: type.id });
  await wizards.start(context, state, type.id);
}

/** `reauthorize <name>`: the wizard again for a connector the asker may manage. */
async function reauthorize(
  wizards: Wizards,
  context: TurnContext,
  state: TurnState,
  args: string,
): Promise<void> {
  const connector = await resolveConnector(context, wizards.deps.connectors, 'reauthorize', args);
  if (!connector) return;
  const permission = await wizards.deps.connectors.mayManage(connector, actorOf(context));
  // A Reauthorize click is refused to the clicker alone (the invoke's error), as Delete is.
  if (!permission.allowed) return refuse(context, 403, permission.reason);
  const open = wizards.current(state);
  if (open)
    return askResumeOrRestart(wizards, context, open, {
      command: 'reauthorize',
      args: connector.displayName,
      // By id: another connector may share its name.
      connectorId: connector.id,
    });
  await wizards.start(context, state, connector.type, {
    id: connector.id,
    displayName: connector.displayName,
  });
}

/** `cancel`: ends the open wizard, for the person who started it. */
async function cancel(wizards: Wizards, context: TurnContext, state: TurnState): Promise<void> {
  const open = wizards.current(state);
  if (!open) {
    await context.sendActivity('There is no wizard open here, so there is nothing to cancel.');
    return;
  }
  if (open.owner.id !== actorOf(context).id) {
    await wizards.deps.messenger.replyPrivately(
      context,
      mdText`Only ${open.owner.name}, who started this wizard, can cancel it.`,
    );
    return;
  }
  await wizards.cancelOpen(context, state, open);
}

/** A wizard step card's button: continues the open wizard's dialog when the card is its current one. */
async function wizardStep(
  wizards: Wizards,
  context: TurnContext,
  state: TurnState,
  data: Record<string, unknown>,
): Promise<void> {
  const open = await wizards.checkClick(context, state, data);
  if (!open) return;
  if (typeof data.page === 'string' && open.history.includes(data.page) && data.move === 'next') {
    // The twin of a double click, or a click on a card Teams had not yet swapped: it is answered
    // with the step the wizard is on, and nothing changes.
    wizards.deps.logger.info('wizard step clicked again', { page: data.page });
    if (isCardExecute(context) && context.activity.replyToId === open.cardActivityId) {
      await wizards.dialogOf(open).steps.showCurrent(context, open);
      return;
    }
    await context.sendActivity(
      'That step is already done, so nothing was changed. The wizard card shows the step you are on.',
    );
    return;
  }
  if (data.page !== open.page || typeof data.move !== 'string') {
    await wizards.outOfDate(context, 'old step');
    return;
  }
  const dc = await wizards.dialogContext(context, state);
  const result = await continueActiveDialog(dc);
  if (result.status === DialogTurnStatus.empty) await wizards.outOfDate(context, 'dialog stack empty');
  if (result.status === DialogTurnStatus.complete) {
    recordWizardEnd(state, open, result.result as WizardResult, wizards.deps.clock);
  }
}

/** "Resume" or "Start over" on the card shown when a wizard was already open. */
async function wizardControl(
  wizards: Wizards,
  context: TurnContext,
  state: TurnState,
  data: Record<string, unknown>,
): Promise<void> {
  const open = await wizards.checkClick(context, state, data);
  if (!open) return;
  if (data.move === 'resume') {
    await wizards.dialogOf(open).steps.repost(context, open);
    return;
  }
  if (data.move !== 'restart') {
    await wizards.outOfDate(context, 'unknown control');
    return;
  }
  // The old wizard's card says it was cancelled, and the cancellation is audited.
  await wizards.cancelOpen(context, state, open);
  if (data.command === 'reauthorize' && typeof data.args === 'string' && data.args) {
    // Runs `reauthorize <name>` again, so the connector and the permission are checked anew;
    // the connector by the id the button names (looked up in this tenant only), when it names one.
    if (isConnectorId(data.connectorId)) nameConnectorById(context, data.connectorId);
    await wizards.router.get('reauthorize')!(context, state, data.args.slice(0, 200));
    return;
  }
  const requested = typeof data.args === 'string' ? findConnectorType(data.args) : undefined;
  if (!requested) {
    await sendPicker(context);
    return;
  }
  await wizards.start(context, state, requested.id);
}

/** The authorization wizards: `connect`, `reauthorize`, `cancel`, and the wizard card buttons. */
export function wizardFeature(deps: WizardFeatureDeps, router: CommandRouter): FeatureTables {
  const wizards = new Wizards(deps, router);
  return {
    commands: [
      chatCommand(WIZARD_COMMANDS.connect, (context, state, args) => connect(wizards, context, state, args)),
      chatCommand(WIZARD_COMMANDS.reauthorize, (context, state, args) =>
        reauthorize(wizards, context, state, args),
      ),
      chatCommand(WIZARD_COMMANDS.cancel, (context, state) => cancel(wizards, context, state)),
    ],
    verbs: [
      recordVerb(WIZARD_VERB, (context, state, data) => wizardStep(wizards, context, state, data)),
      recordVerb(WIZARD_CONTROL_VERB, (context, state, data) => wizardControl(wizards, context, state, data)),
      cardVerb(WIZARD_VIEW_VERB, wizardViewData, (context, state, data) =>
        wizardView(wizards, context, state, data),
      ),
    ],
  };
}
