import { performance } from 'node:perf_hooks';
import { ActivityTypes, MessageFactory, TurnContext, type Attachment } from 'botbuilder';
import { diagnosticsCard, diagnosticsCardData } from '../../../cards/diagnosticsCards';
import { renderCard } from '../../../cards/render';
import type { Connector } from '../../../connectors/connector';
import type { ConnectorService } from '../../../connectors/connectorService';
import type { Messenger } from '../../../notify/messenger';
import {
  DEFAULT_DIAGNOSTIC_LIMITS,
  type DiagnosticContext,
  type DiagnosticLimits,
  type Finding,
} from '../../../diagnostics/finding';
import { diagnosticPlan } from '../../../diagnostics/plan';
import { pendingFindings, runDiagnostics } from '../../../diagnostics/runner';
import type { Logger } from '../../../util/logger';
import { chatCommand, type FeatureTables } from '../../chatCommands';
import { DIAGNOSTICS_COMMANDS } from './diagnosticsCommands';
import { resolveConnector } from '../../connectorResolver';
import { turnConsentWorkflow } from '../../consentWorkflowReading';
import type { BotDeps } from '../../deps';
import { readerDates } from '../../../util/readerDates';
import { actorOf, conversationTypeOf, tenantIdOf } from '../../turnInfo';

/** Limits of a run, and how long it may keep the turn before going on in the background. */
export interface DiagnosticsOptions extends DiagnosticLimits {
  /**
   * Teams gives a turn about 15 s: a run still going after this long lets the turn end and
   * keeps updating the card proactively.
   */
  inTurnBudgetMs: number;
}

export const DEFAULT_DIAGNOSTICS_OPTIONS: DiagnosticsOptions = {
  ...DEFAULT_DIAGNOSTIC_LIMITS,
  inTurnBudgetMs: 10_000,
};

export interface DiagnosticsFeatureDeps extends Pick<BotDeps, 'config' | 'clock' | 'logger' | 'graph'> {
  /** The connectors to check, deauthorized first when their 90 days are up. */
  connectors: Pick<ConnectorService, 'findByName' | 'get' | 'refresh' | 'listAll'>;
  /** For updating the card after the turn has ended; without it a run keeps the turn. */
  messenger?: Pick<Messenger, 'continueIn'>;
  diagnostics?: Partial<DiagnosticsOptions>;
}

/**
 * A card posted once and kept current: updates go out one at a time and only the latest waiting
 * one is sent. When Teams refuses an update, the card is posted anew. The conversation it writes
 * through can be swapped (the turn's, then a proactive one).
 */
export class LiveCard {
  private context?: TurnContext;
  private activityId?: string;
  private latest?: Attachment;
  private sending?: Promise<void>;

  constructor(private readonly logger: Logger) {}

  async post(context: TurnContext, attachment: Attachment): Promise<void> {
    this.context = context;
    const sent = await context.sendActivity(MessageFactory.attachment(attachment));
    this.activityId = sent?.id;
  }

  /** Shows this card next (replacing any update still waiting). */
  show(attachment: Attachment): void {
    this.latest = attachment;
    this.kick();
  }

  /** Waits until no update is waiting or being sent. */
  async settle(): Promise<void> {
    while (this.sending) await this.sending;
  }

  /** Stops writing through the current conversation (after what is being sent). */
  async detach(): Promise<void> {
    this.context = undefined;
    await this.settle();
  }

  /** Writes through this conversation from now on, starting with what is waiting. */
  attach(context: TurnContext): void {
    this.context = context;
    this.kick();
  }

  private kick(): void {
    if (this.sending || !this.context) return;
    this.sending = this.drain().finally(() => {
      this.sending = undefined;
    });
  }

  private async drain(): Promise<void> {
    for (let context = this.context; this.latest && context; context = this.context) {
      const attachment = this.latest;
      this.latest = undefined;
      await this.write(context, attachment);
    }
  }

  private async write(context: TurnContext, attachment: Attachment): Promise<void> {
    if (this.activityId) {
      try {
        await context.updateActivity({
          type: ActivityTypes.Message,
          id: this.activityId,
          attachments: [attachment],
        });
        return;
      } catch (err) {
        this.logger.warn('diagnostics card update failed; posting it again', { error: err });
      }
    }
    try {
      const sent = await context.sendActivity(MessageFactory.attachment(attachment));
      this.activityId = sent?.id ?? this.activityId;
    } catch (err) {
      this.logger.warn('diagnostics card could not be posted', { error: err });
    }
  }
}

/** Resolves true when `work` ends within `ms`, false otherwise (work goes on). */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const BACKGROUND_NOTE = 'Still checking: this card updates as each check finishes.';

/** The connectors a run checks: the one named, or all of the tenant's; undefined when the name matched none. */
async function connectorsToDiagnose(
  deps: DiagnosticsFeatureDeps,
  context: TurnContext,
  name: string,
): Promise<Connector[] | undefined> {
  const { connectors } = deps;
  const actor = actorOf(context);
  if (name) {
    const found = await resolveConnector(context, connectors, 'diagnose', name);
    if (!found) return undefined;
    return [await connectors.refresh(found, actor)];
  }
  return connectors.listAll(tenantIdOf(context), actor);
}

function diagnosticContext(
  deps: DiagnosticsFeatureDeps,
  options: DiagnosticsOptions,
  context: TurnContext,
  connectors: Connector[],
): DiagnosticContext {
  const { config, clock, logger } = deps;
  const actor = actorOf(context);
  return {
    connectorAppId: config.connectorAppId,
    botAppIds: [config.bot.appId, config.graph.clientId].filter((id): id is string => id !== undefined),
    adminConsentLink: config.adminConsentLink,
    cloud: config.cloud,
    inactivityDays: config.inactivityDays,
    firstNoticeDays: Math.max(...config.expiryNoticeDays),
    now: clock.now(),
    dates: readerDates(context, logger),
    asker: { aadObjectId: actor.aadObjectId, name: actor.name },
    connectors,
    limits: options,
    elapsed: () => performance.now(),
    readConsentWorkflow: () => turnConsentWorkflow(context, deps, tenantIdOf(context)),
  };
}

/** Lets the turn end and finishes the card proactively in the same conversation. */
async function finishInBackground(
  messenger: Pick<Messenger, 'continueIn'>,
  context: TurnContext,
  card: LiveCard,
  logger: Logger,
  logFields: Record<string, unknown>,
  finishRun: () => Promise<void>,
): Promise<void> {
  await card.detach();
  const reference = TurnContext.getConversationReference(context.activity);
  logger.info('diagnostics continue in the background', logFields);
  void messenger
    .continueIn(reference, async (proactive) => {
      card.attach(proactive);
      await finishRun();
      await card.detach();
    })
    .catch((err: unknown) => logger.warn('diagnostics could not finish in the background', { error: err }));
}

/**
 * `diagnose` (every check for the tenant) and `diagnose <name>` (one connector): a typing
 * indicator, then one card with every check pending, updated in place as each finishes.
 */
async function diagnose(
  deps: DiagnosticsFeatureDeps,
  options: DiagnosticsOptions,
  context: TurnContext,
  args: string,
): Promise<void> {
  const { clock, logger, graph } = deps;
  await context.sendActivity({ type: ActivityTypes.Typing });
  const tenantId = tenantIdOf(context);
  const name = args.trim();
  const connectors = await connectorsToDiagnose(deps, context, name);
  if (!connectors) return;
  const ctx = diagnosticContext(deps, options, context, connectors);
  const scope = name ? 'connector' : 'tenant';
  const plan = diagnosticPlan(ctx, scope);
  const title = name ? `Troubleshooting ${connectors[0].displayName}` : 'Troubleshooting your connectors';
  const privateDetails = conversationTypeOf(context) === 'personal';
  let footer = '';
  let current = pendingFindings(plan);
  const render = (findings: Finding[], finishedAt?: string) =>
    renderCard(diagnosticsCard, diagnosticsCardData(findings, { title, privateDetails, finishedAt, footer }));

  const card = new LiveCard(logger);
  await card.post(context, render(current));
  const started = performance.now();
  const run = runDiagnostics(graph, tenantId, plan, ctx, {
    logger,
    onUpdate: (findings) => {
      current = findings;
      card.show(render(findings));
    },
  });
  const finish = async (findings: Finding[]) => {
    footer = '';
    card.show(render(findings, ctx.dates.dateTime(clock.now())));
    await card.settle();
    logger.info('diagnostics finished', {
      tenantId,
      scope,
      ms: Math.round(performance.now() - started),
      checks: Object.fromEntries(findings.map((f) => [f.id, `${f.status} ${f.ms ?? 0}ms`])),
    });
  };

  const messenger = deps.messenger;
  if (!messenger || (await within(run, options.inTurnBudgetMs))) {
    await finish(await run);
    return;
  }
  // Past the turn's budget: say so on the card, let the turn end, and go on proactively.
  footer = BACKGROUND_NOTE;
  card.show(render(current));
  await finishInBackground(messenger, context, card, logger, { tenantId, scope }, async () =>
    finish(await run),
  );
}

/** The troubleshooting command. */
export function diagnosticsFeature(deps: DiagnosticsFeatureDeps): FeatureTables {
  const options: DiagnosticsOptions = { ...DEFAULT_DIAGNOSTICS_OPTIONS, ...deps.diagnostics };
  return {
    commands: [
      chatCommand(DIAGNOSTICS_COMMANDS.diagnose, (context, _state, args) =>
        diagnose(deps, options, context, args),
      ),
    ],
    verbs: [],
  };
}
