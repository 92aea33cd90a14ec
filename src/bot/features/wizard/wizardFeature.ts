import { MessageFactory, type TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import type { Application, TurnState } from '@microsoft/teams-ai';
// Not re-exported from the package index; it is the documented way to give dialogs teams-ai state.
import { TurnStateProperty } from '@microsoft/teams-ai/lib/TurnStateProperty';
import { renderCard } from '../../../cards/render';
import { connectorPickerCard, type ConnectorPickerCardData } from '../../../cards/wizardCards';
import { messageCardData, messageCard } from '../../../cards/messageCard';
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
import type { ConnectorLifecycle } from '../../../connectors/lifecycle';
import { ConnectorWizardDialog, wizardDialogId } from '../../../dialogs/connectorWizardDialog';
import { WIZARD_VERB, type WizardStartOptions } from '../../../dialogs/stepCardDialog';
import type { WizardFlow, WizardState } from '../../../dialogs/wizardFlow';
import type { CommandRouter } from '../../commandRouter';
import type { BotDeps } from '../../deps';
import { replyPrivately } from '../../privateReply';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { canManage } from '../../managePermission';
import { resolveConnector } from '../../connectorResolver';
import { recordVerb, registerCardVerbs } from '../../cardVerbs';
import { refuse } from '../../universalActions';
import { isCardExecute } from '../../../cards/cardTurn';

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

export interface WizardFeatureDeps extends BotDeps {
  lifecycle: ConnectorLifecycle;
  flows: WizardFlow[];
}

/** The open wizard of a conversation, read from dialog state without running it. */
function openWizard(dialogState: DialogState | undefined): WizardState | undefined {
  const component = dialogState?.dialogStack?.[0];
  const inner = (component?.state as { dialogs?: DialogState } | undefined)?.dialogs?.dialogStack?.[0];
  return (inner?.state as { wizard?: WizardState } | undefined)?.wizard;
}

/**
 * The authorization wizards: `connect`, `reauthorize`, `cancel`, and the wizard card buttons.
 * Dialog state lives in the conversation's turn state, which the store keeps across restarts.
 */
export function registerWizard(
  app: Application<TurnState>,
  router: CommandRouter,
  deps: WizardFeatureDeps,
): void {
  const dialogs = deps.flows.map((flow) => new ConnectorWizardDialog(flow, deps));

  const dialogSetFor = (state: TurnState) => {
    const set = new DialogSet(new TurnStateProperty<DialogState>(state, 'conversation', 'dialogState'));
    dialogs.forEach((d) => set.add(d));
    return set;
  };
  const currentWizard = (state: TurnState) =>
    openWizard((state.conversation as { dialogState?: DialogState }).dialogState);

  const start = async (
    context: TurnContext,
    state: TurnState,
    type: ConnectorTypeId,
    existing?: WizardStartOptions['existing'],
  ) => {
    const dc = await dialogSetFor(state).createContext(context);
    await dc.cancelAllDialogs();
    const actor = actorOf(context);
    const options: WizardStartOptions = {
      tenantId: tenantIdOf(context),
      owner: { id: actor.id, name: actor.name },
      existing,
    };
    await dc.beginDialog(wizardDialogId(type), options);
    await deps.lifecycle.audit(
      { tenantId: options.tenantId, id: currentWizard(state)?.connectorId ?? '' },
      actor,
      existing ? 'reauthorization.started' : 'wizard.started',
      { type },
    );
  };

  const wizardOf = (open: WizardState) =>
    dialogs.find((d) => d.id === wizardDialogId(open.type as ConnectorTypeId));

  /** Asks whether to resume the open wizard or to start over with what was requested (`command args`). */
  const askResumeOrRestart = async (
    context: TurnContext,
    open: WizardState,
    requested: { command: 'connect' | 'reauthorize'; args: string },
  ) => {
    const at = wizardOf(open)?.steps.describePage(context, open) ?? open.page;
    await context.sendActivity(
      MessageFactory.attachment(
        renderCard(
          messageCard,
          messageCardData({
            title: 'A wizard is already open here',
            text: `${open.owner.name} started authorizing the ${connectorType(open.type as ConnectorTypeId).name}${open.displayName ? ` (${open.displayName})` : ''} and is at "${at}". Resume it, or start over?`,
            buttons: [
              {
                title: 'Resume',
                style: 'positive',
                verb: WIZARD_CONTROL_VERB,
                command: '',
                args: '',
                wizardId: open.wizardId,
                move: 'resume',
              },
              {
                title: 'Start over',
                style: 'destructive',
                verb: WIZARD_CONTROL_VERB,
                command: requested.command,
                args: requested.args,
                wizardId: open.wizardId,
                move: 'restart',
              },
            ],
          }),
        ),
      ),
    );
  };

  router.register('connect', async (context, state, args) => {
    const open = currentWizard(state);
    if (!args) {
      if (open) return askResumeOrRestart(context, open, { command: 'connect', args: '' });
      await context.sendActivity(
        MessageFactory.attachment(renderCard(connectorPickerCard, pickerCardData())),
      );
      return;
    }
    const type = findConnectorType(args);
    if (!type) {
      await context.sendActivity(
        `I do not know a connector type "${args.slice(0, 60)}". Pick one from the list:`,
      );
      await context.sendActivity(
        MessageFactory.attachment(renderCard(connectorPickerCard, pickerCardData())),
      );
      return;
    }
    if (open) return askResumeOrRestart(context, open, { command: 'connect', args: type.id });
    await start(context, state, type.id);
  });

  router.register('reauthorize', async (context, state, args) => {
    const connector = await resolveConnector(context, deps.lifecycle, 'reauthorize', args);
    if (!connector) return;
    const permission = await canManage(connector, context, deps);
    if (!permission.allowed) {
      await context.sendActivity(permission.reason);
      return;
    }
    const open = currentWizard(state);
    if (open)
      return askResumeOrRestart(context, open, { command: 'reauthorize', args: connector.displayName });
    await start(context, state, connector.type, { id: connector.id, displayName: connector.displayName });
  });

  router.register('cancel', async (context, state) => {
    const open = currentWizard(state);
    if (!open) {
      await context.sendActivity('There is no wizard open here, so there is nothing to cancel.');
      return;
    }
    if (open.owner.id !== actorOf(context).id) {
      await replyPrivately(
        context,
        `Only ${open.owner.name}, who started this wizard, can cancel it.`,
        deps.config.bot.appId ?? '',
        deps.logger,
      );
      return;
    }
    const dc = await dialogSetFor(state).createContext(context);
    const wizard = dialogs.find((d) => d.id === wizardDialogId(open.type as ConnectorTypeId))!;
    await wizard.steps.showCancelled(context, open);
    await dc.cancelAllDialogs();
  });

  const outOfDate = async (context: TurnContext, why: string) => {
    deps.logger.info('stale or foreign wizard click', { why });
    await context.sendActivity(
      'This card is out of date, so nothing was changed. Type connect to start again, or use the latest card.',
    );
  };

  /** Checks a wizard button click against the open wizard; answers and returns undefined when it does not fit. */
  const checkClick = async (context: TurnContext, state: TurnState, data: Record<string, unknown>) => {
    const open = currentWizard(state);
    if (!open || typeof data.wizardId !== 'string' || data.wizardId !== open.wizardId) {
      await outOfDate(context, open ? 'another wizard' : 'no open wizard');
      return undefined;
    }
    if (open.tenantId !== tenantIdOf(context)) {
      await outOfDate(context, 'another tenant');
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
  };

  registerCardVerbs(
    app,
    [
      recordVerb(WIZARD_VERB, async (context, state, data) => {
        const open = await checkClick(context, state, data);
        if (!open) return;
        if (typeof data.page === 'string' && open.history.includes(data.page) && data.move === 'next') {
          // The twin of a double click, or a click on a card Teams had not yet swapped: it is
          // answered with the step the wizard is on, and nothing changes.
          deps.logger.info('wizard step clicked again', { page: data.page });
          const wizard = dialogs.find((d) => d.id === wizardDialogId(open.type as ConnectorTypeId))!;
          if (isCardExecute(context) && context.activity.replyToId === open.cardActivityId) {
            await wizard.steps.showCurrent(context, open);
            return;
          }
          await context.sendActivity(
            'That step is already done, so nothing was changed. The wizard card shows the step you are on.',
          );
          return;
        }
        if (data.page !== open.page || typeof data.move !== 'string') {
          await outOfDate(context, 'old step');
          return;
        }
        const dc = await dialogSetFor(state).createContext(context);
        const result = await dc.continueDialog();
        if (result.status === DialogTurnStatus.empty) await outOfDate(context, 'dialog stack empty');
      }),
    ],
    deps.logger,
  );

  registerCardVerbs(
    app,
    [
      recordVerb(WIZARD_CONTROL_VERB, async (context, state, data) => {
        const open = await checkClick(context, state, data);
        if (!open) return;
        const dc = await dialogSetFor(state).createContext(context);
        if (data.move === 'resume') {
          const wizard = dialogs.find((d) => d.id === wizardDialogId(open.type as ConnectorTypeId))!;
          await wizard.steps.repost(context, open);
          return;
        }
        if (data.move === 'restart') {
          // The old wizard's card says it was cancelled, and the cancellation is audited.
          const wizard = dialogs.find((d) => d.id === wizardDialogId(open.type as ConnectorTypeId))!;
          await wizard.steps.showCancelled(context, open);
          await dc.cancelAllDialogs();
          if (data.command === 'reauthorize' && typeof data.args === 'string' && data.args) {
            // Runs `reauthorize <name>` again, so the connector and the permission are checked anew.
            await router.get('reauthorize')!(context, state, data.args.slice(0, 200));
            return;
          }
          const requested = typeof data.args === 'string' ? findConnectorType(data.args) : undefined;
          if (!requested) {
            await context.sendActivity(
              MessageFactory.attachment(renderCard(connectorPickerCard, pickerCardData())),
            );
            return;
          }
          await start(context, state, requested.id);
          return;
        }
        await outOfDate(context, 'unknown control');
      }),
    ],
    deps.logger,
  );
}
