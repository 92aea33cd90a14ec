import { MessageFactory, type Attachment, type TurnContext } from 'botbuilder';
// From their modules, not the package index (see src/bot/onDemandModules.ts).
import { Dialog, type DialogTurnResult } from 'botbuilder-dialogs/lib/dialog';
import type { DialogContext } from 'botbuilder-dialogs/lib/dialogContext';
import { randomUUID } from 'node:crypto';
import { renderCard } from '../cards/render';
import { answerInPlace, cardActionData } from '../cards/cardTurn';
import { wizardStepCard } from '../cards/wizardCards';
import { commandButton, messageCardData, messageCard, type BoxStyle } from '../cards/messageCard';
import type { Connector } from '../connectors/connector';
import { STEP_ACTOR_LABELS } from '../connectors/authorizationSteps';
import {
  NOT_A_NEW_CONNECTOR,
  REAUTHORIZE_FIRST_STEP,
  REAUTHORIZE_FOLLOW,
  REAUTHORIZE_WHY,
  reauthorizeMenuSteps,
} from '../connectors/reauthorization';
import type { ConnectorService } from '../connectors/connectorService';
import { displayNameProblem, MAX_DISPLAY_NAME, type ConnectorLifecycle } from '../connectors/lifecycle';
import type { Config } from '../config/config';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import { readerDates } from '../util/readerDates';
import { stepCardData } from './stepCardData';
import {
  nextButton,
  type FlowEnv,
  type PageView,
  type SubmitResult,
  type WizardFlow,
  type WizardState,
} from './wizardFlow';
import { markdown, md } from '../cards/markdown';

/** The page every wizard starts with: the optional display name. */
export const NAME_PAGE = 'name';

/** The page a reauthorization starts with: the connector's own menu in the migration app. */
export const REAUTHORIZE_PAGE = 'reauthorize';

/** The card verb of every wizard button. */
export const WIZARD_VERB = 'wizard';

/** The card verb of a wizard card's `refresh` and of its read-only view's Refresh button. */
export const WIZARD_VIEW_VERB = 'wizardView';

/** How a wizard is started. */
export interface WizardStartOptions {
  tenantId: string;
  /** `teamsId`: the starter's Teams id (`29:…`), which a shared chat's step card names in refresh.userIds. */
  owner: { id: string; name: string; teamsId?: string };
  /** Set when reauthorizing: the existing connector keeps its id and display name. */
  existing?: Pick<Connector, 'id' | 'displayName'>;
}

/** What a wizard reports when it ends. */
export interface WizardResult {
  status: 'completed' | 'cancelled';
  connector?: Connector;
  /** Set when a reauthorization ended because its connector had been deleted meanwhile. */
  connectorDeleted?: true;
}

export interface StepCardDeps {
  config: Config;
  /** Records the end of the authorization (a new connector, or the renewed one). */
  connectors: Pick<ConnectorService, 'completeAuthorization'>;
  /** Audits each step and a cancellation. */
  lifecycle: Pick<ConnectorLifecycle, 'audit'>;
  clock: Clock;
  logger: Logger;
  /** The Teams ids a card's `refresh.userIds` names the wizard's starter by. */
  refreshIdsOf(owner: WizardState['owner']): string[];
}

/** True in a channel or group chat, where people other than the wizard's starter see its cards. */
export function isSharedConversation(context: TurnContext): boolean {
  const conversation = context.activity.conversation;
  const type = conversation?.conversationType;
  return type === 'channel' || type === 'groupChat' || !!conversation?.isGroup;
}

/**
 * Shows the wizard's next card: as the answer to a click on the wizard's card (Teams swaps it in
 * with no message update, so a second quick click cannot race one), else by updating the card in
 * place; a failed update, or no card yet, posts it anew. `forEveryone` is what an update or a
 * post shows when it differs from the clicker's answer (the read-only view of a shared chat).
 */
export async function showCard(
  context: TurnContext,
  state: WizardState,
  attachment: Attachment,
  logger: Logger,
  forEveryone: Attachment = attachment,
): Promise<void> {
  if (state.cardActivityId && answerInPlace(context, attachment, state.cardActivityId)) return;
  if (state.cardActivityId) {
    try {
      await context.updateActivity({ type: 'message', id: state.cardActivityId, attachments: [forEveryone] });
      return;
    } catch (err) {
      logger.warn('wizard card update failed; posting it anew', { error: err, wizardId: state.wizardId });
    }
  }
  const response = await context.sendActivity(MessageFactory.attachment(forEveryone));
  state.cardActivityId = response?.id;
}

/**
 * What sets one wizard's step card apart from another's on the same page: bound into a kept
 * expansion of the page rather than expanding the page again for each wizard.
 */
const STEP_CARD_SLOTS = ['wizardId', 'ownerName'] as const;

/**
 * The step-card mechanism every connector wizard shares: one card per page, updated in place,
 * with Next, Back and Cancel; the type's flow supplies the pages.
 */
export class StepCardDialog extends Dialog<WizardStartOptions> {
  constructor(
    dialogId: string,
    private readonly flow: WizardFlow,
    private readonly deps: StepCardDeps,
  ) {
    super(dialogId);
  }

  override async beginDialog(dc: DialogContext, options?: WizardStartOptions): Promise<DialogTurnResult> {
    if (!options) throw new Error('a wizard needs start options');
    const state: WizardState = {
      wizardId: randomUUID(),
      type: this.flow.type.id,
      tenantId: options.tenantId,
      owner: options.owner,
      connectorId: options.existing?.id ?? randomUUID(),
      reauthorize: options.existing !== undefined,
      displayName: options.existing?.displayName ?? '',
      page: NAME_PAGE,
      history: [],
      startedAt: this.deps.clock.now().toISOString(),
    };
    dc.activeDialog!.state.wizard = state;
    const env = this.env(dc.context, state);
    if (this.flow.start) await this.flow.start(state, env);
    if (state.reauthorize) state.page = REAUTHORIZE_PAGE;
    await this.show(dc.context, state);
    this.deps.logger.info('wizard started', {
      wizardId: state.wizardId,
      type: state.type,
      tenantId: state.tenantId,
    });
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state.wizard as WizardState;
    const value = cardActionData(dc.context);
    const move = typeof value.move === 'string' ? value.move : '';
    const env = this.env(dc.context, state);

    if (move === 'cancel') return this.cancel(dc, state);
    if (move === 'back') return this.goBack(dc, state);
    if (state.page === NAME_PAGE) return this.submitName(dc, state, value);
    if (state.page === REAUTHORIZE_PAGE) return this.leaveReauthorizeMenu(dc, state, move);
    return this.submitPage(dc, state, move, value, env);
  }

  /** Back: the page before this one, as it was left. */
  private async goBack(dc: DialogContext, state: WizardState): Promise<DialogTurnResult> {
    const previous = state.history.pop();
    if (previous) state.page = previous;
    // The first page offers no Back: a click on it comes from an old or forged card.
    else
      this.deps.logger.info('wizard Back refused: no earlier page', {
        wizardId: state.wizardId,
        page: state.page,
      });
    await this.show(dc.context, state);
    return Dialog.EndOfTurn;
  }

  /** The display-name page: a name the rules refuse keeps the page, with why. */
  private async submitName(
    dc: DialogContext,
    state: WizardState,
    value: Record<string, unknown>,
  ): Promise<DialogTurnResult> {
    const name = typeof value.displayName === 'string' ? value.displayName.trim() : '';
    const problem = displayNameProblem(name);
    if (problem) {
      this.deps.logger.info('display name refused', { wizardId: state.wizardId, problem });
      await this.show(dc.context, state, problem, 'attention');
      return Dialog.EndOfTurn;
    }
    state.displayName = name;
    this.advance(state, this.pagesOf(state)[0]);
    await this.show(dc.context, state);
    return Dialog.EndOfTurn;
  }

  /** The reauthorization's menu page offers only Next. */
  private async leaveReauthorizeMenu(
    dc: DialogContext,
    state: WizardState,
    move: string,
  ): Promise<DialogTurnResult> {
    if (move !== 'next') {
      this.deps.logger.info('wizard move refused: not on the current card', {
        wizardId: state.wizardId,
        page: state.page,
        move,
      });
      await dc.context.sendActivity('That button is not on the current step, so nothing was changed.');
      return Dialog.EndOfTurn;
    }
    this.advance(state, this.pagesOf(state)[0]);
    await this.show(dc.context, state);
    return Dialog.EndOfTurn;
  }

  /** A flow page's button: the flow decides whether to stay, go on, or finish. */
  private async submitPage(
    dc: DialogContext,
    state: WizardState,
    move: string,
    value: Record<string, unknown>,
    env: FlowEnv,
  ): Promise<DialogTurnResult> {
    const offered = (this.flow.view(state, state.page, env).buttons ?? [nextButton()]).map((b) => b.move);
    if (!offered.includes(move)) {
      // A move the current card does not offer comes from a forged or foreign card.
      this.deps.logger.info('wizard move refused: not on the current card', {
        wizardId: state.wizardId,
        page: state.page,
        move,
      });
      await dc.context.sendActivity('That button is not on the current step, so nothing was changed.');
      return Dialog.EndOfTurn;
    }
    const result = await this.flow.submit(state, state.page, move, value, env);
    if (result.kind === 'stay') {
      await this.show(dc.context, state, result.notice, result.noticeStyle ?? 'attention');
      return Dialog.EndOfTurn;
    }
    if (result.kind === 'next') return this.nextPage(dc, state, result);
    return this.finish(dc, state, result.outcome, env);
  }

  /** Goes on to the page the flow named (or the following one), auditing the step done. */
  private async nextPage(
    dc: DialogContext,
    state: WizardState,
    result: Extract<SubmitResult, { kind: 'next' }>,
  ): Promise<DialogTurnResult> {
    const pages = this.pagesOf(state);
    const following = result.page ?? pages[pages.indexOf(state.page) + 1];
    if (!following) throw new Error(`wizard ${state.type} has no page after ${state.page}`);
    await this.deps.lifecycle.audit(
      { tenantId: state.tenantId, id: state.connectorId },
      state.owner,
      'step.done',
      {
        wizardId: state.wizardId,
        page: state.page,
      },
    );
    this.advance(state, following);
    await this.show(dc.context, state, result.notice ?? '', result.noticeStyle ?? 'attention');
    return Dialog.EndOfTurn;
  }

  /** Records the authorization and replaces the wizard with its final card. */
  private async finish(
    dc: DialogContext,
    state: WizardState,
    flowOutcome: Extract<SubmitResult, { kind: 'finish' }>['outcome'],
    env: FlowEnv,
  ): Promise<DialogTurnResult> {
    const outcome = {
      ...flowOutcome,
      tenantId: state.tenantId,
      connectorId: state.connectorId,
      type: this.flow.type.id,
      displayName: state.displayName || this.defaultName(),
    };
    const completion = await this.deps.connectors.completeAuthorization(
      outcome,
      state.owner,
      state.reauthorize,
    );
    if (completion.kind === 'gone') return this.connectorGone(dc, state);
    const { connector: recorded, handedOver } = completion;
    const connector =
      this.flow.afterRecord && !handedOver ? await this.flow.afterRecord(state, recorded, env) : recorded;
    await showCard(
      dc.context,
      state,
      renderCard(messageCard, this.flow.done(state, connector, env)),
      this.deps.logger,
    );
    this.deps.logger.info('wizard completed', {
      wizardId: state.wizardId,
      connectorId: connector.id,
      status: connector.status,
    });
    return dc.endDialog({ status: 'completed', connector } satisfies WizardResult);
  }

  /** The connector being reauthorized was deleted meanwhile: nothing is saved. */
  private async connectorGone(dc: DialogContext, state: WizardState): Promise<DialogTurnResult> {
    this.deps.logger.info('wizard ended: the connector being reauthorized was deleted', {
      wizardId: state.wizardId,
      page: state.page,
      connectorId: state.connectorId,
    });
    await showCard(
      dc.context,
      state,
      renderCard(
        messageCard,
        messageCardData({
          title: 'This connector no longer exists',
          text: 'It was deleted while you were reauthorizing it, so nothing was saved. Type connect to add it again.',
          style: 'warning',
        }),
      ),
      this.deps.logger,
    );
    return dc.endDialog({ status: 'cancelled', connectorDeleted: true } satisfies WizardResult);
  }

  /** Ends the wizard and replaces its card; nothing is recorded. */
  async cancel(dc: DialogContext, state: WizardState): Promise<DialogTurnResult> {
    await this.showCancelled(dc.context, state);
    return dc.endDialog({ status: 'cancelled' } satisfies WizardResult);
  }

  /** Replaces the wizard's card with "cancelled". */
  async showCancelled(context: TurnContext, state: WizardState): Promise<void> {
    await showCard(
      context,
      state,
      renderCard(
        messageCard,
        messageCardData({
          title: 'Authorization cancelled',
          text: `The ${this.flow.type.name} wizard was cancelled and nothing was saved.${state.reauthorize ? ' The connector keeps its current authorization.' : ''}`,
          buttons: [
            commandButton(
              'Start again',
              state.reauthorize ? 'reauthorize' : 'connect',
              state.reauthorize ? state.displayName : this.flow.type.id,
            ),
          ],
        }),
      ),
      this.deps.logger,
    );
    await this.deps.lifecycle.audit(
      { tenantId: state.tenantId, id: state.connectorId },
      state.owner,
      'wizard.cancelled',
      {
        wizardId: state.wizardId,
      },
    );
    this.deps.logger.info('wizard cancelled', { wizardId: state.wizardId });
  }

  /**
   * Answers a click on the wizard's card with the page the wizard is on: the second of two quick
   * clicks gets the current step instead of racing the first one's answer.
   */
  async showCurrent(context: TurnContext, state: WizardState): Promise<void> {
    await this.show(context, state);
  }

  /**
   * The current page as `viewer` should see it now, for a refresh: the controls for the person
   * who started the wizard, the read-only view for anyone else. Renders only; nothing is sent
   * or changed.
   */
  viewCard(context: TurnContext, state: WizardState, viewer: { id: string }): Attachment {
    return this.stepCard(context, state, this.viewOf(context, state), viewer.id === state.owner.id);
  }

  /** Shows the current page again, as a new message (resume after `connect`). */
  async repost(context: TurnContext, state: WizardState): Promise<void> {
    state.cardActivityId = undefined;
    await this.show(context, state);
  }

  /** Where the wizard is, as its card says it: "Step 2 of 9: Find Office 365". */
  describePage(context: TurnContext, state: WizardState): string {
    const view = this.viewOf(context, state);
    return `${view.progress}: ${view.heading}`;
  }

  private advance(state: WizardState, page: string): void {
    state.history.push(state.page);
    state.page = page;
  }

  private defaultName(): string {
    const date = this.deps.clock.now().toISOString().slice(0, 10);
    return `${this.flow.type.name.replace(/ Connector$/, '')} ${date}`;
  }

  private env(context: TurnContext, state?: WizardState): FlowEnv {
    return {
      config: this.deps.config,
      context,
      dates: readerDates(context, this.deps.logger),
      showProgress: async (title, text) => {
        if (!state) return;
        await showCard(
          context,
          state,
          renderCard(messageCard, messageCardData({ title, text })),
          this.deps.logger,
        );
      },
    };
  }

  private async show(
    context: TurnContext,
    state: WizardState,
    notice = '',
    noticeStyle: BoxStyle = 'attention',
  ): Promise<void> {
    const view = this.viewOf(context, state);
    const controls = this.stepCard(context, state, view, true, notice, noticeStyle);
    // In a channel or group chat the posted card is the read-only view; the starter's client
    // fetches the controls through its refresh, and their clicks are answered with the controls.
    const forEveryone = isSharedConversation(context)
      ? this.stepCard(context, state, view, false, notice, noticeStyle)
      : controls;
    await showCard(context, state, controls, this.deps.logger, forEveryone);
  }

  /** A step card with the controls or read-only, for the conversation of this turn. */
  private stepCard(
    context: TurnContext,
    state: WizardState,
    view: PageView,
    controls: boolean,
    notice = '',
    noticeStyle: BoxStyle = 'attention',
  ): Attachment {
    const shared = isSharedConversation(context);
    const audience = {
      shared,
      controls,
      refreshUserIds: shared ? this.deps.refreshIdsOf(state.owner) : [],
    };
    return renderCard(
      wizardStepCard,
      stepCardData(this.flow.type, state, view, notice, noticeStyle, audience),
      { slots: STEP_CARD_SLOTS },
    );
  }

  /** The flow's pages: a reauthorization skips the steps that create a connector. */
  private pagesOf(state: WizardState): string[] {
    return state.reauthorize ? this.flow.reauthorizePages(state) : this.flow.pages(state);
  }

  private viewOf(context: TurnContext, state: WizardState): PageView {
    if (state.page === NAME_PAGE) return this.nameView(state);
    if (state.page === REAUTHORIZE_PAGE) return this.reauthorizeView();
    return this.flow.view(state, state.page, this.env(context));
  }

  /** Seeds 002/003, steps 1 to 4 of "Reauthorizing connectors"; step 5 is the flow's pages. */
  private reauthorizeView(): PageView {
    return {
      progress: 'Reauthorize: steps 1 to 4',
      who: STEP_ACTOR_LABELS[this.flow.authorizer],
      whoStyle: 'accent',
      heading: 'Open this connector’s options in the migration app',
      instruction: markdown(
        `${REAUTHORIZE_WHY} The process to authorize a connector again:\n\n${reauthorizeMenuSteps(this.flow.type.name)}`,
      ),
      warnings: [
        ...(this.flow.reauthorizeWarnings ?? []).map((text) => ({ text: markdown(text) })),
        { text: markdown(NOT_A_NEW_CONNECTOR) },
      ],
      tips: [{ text: markdown(REAUTHORIZE_FOLLOW) }],
      facts: [],
      code: '',
      helpText: `You are unable to change the display name of the connector: reauthorizing keeps it. ${REAUTHORIZE_FIRST_STEP}`,
      buttons: [nextButton('I selected Reauthorize: next')],
    };
  }

  private nameView(state: WizardState): PageView {
    return {
      progress: 'Before you start',
      who: 'Anyone who will authorize it',
      whoStyle: 'emphasis',
      heading: 'Give the connector a display name (optional)',
      instruction: md`You are about to authorize the **${this.flow.type.name}**: ${this.flow.type.summary}`,
      warnings: [
        {
          text: "A connector's display name cannot be changed later. To rename it, you must delete and re-add the connector.",
        },
      ],
      tips: [],
      facts: [],
      code: '',
      helpText:
        'The display name is how you will find this connector in commands such as status, transfer and delete.',
      textInputs: [
        {
          id: 'displayName',
          label: 'Display name (optional)',
          placeholder: `e.g. ${this.flow.type.name.replace(/ Connector$/, '')} destination`,
          value: state.displayName,
          style: 'text',
          maxLength: MAX_DISPLAY_NAME,
          isRequired: false,
          errorMessage: `At most ${MAX_DISPLAY_NAME} characters.`,
        },
      ],
    };
  }
}
