import { MessageFactory, type TurnContext } from 'botbuilder';
import { readerDates } from '../../../util/readerDates';
import { renderCard } from '../../../cards/render';
import { codeLines } from '../../../cards/markdown';
import {
  REVOCATION_CHECK_VERB,
  revocationCheckCard,
  type RevocationCheckCardData,
} from '../../../cards/revocationCards';
import type { MessageButton } from '../../../cards/messageCard';
import { CLOUD_HOSTS, connectorApp } from '../../../config/config';
import type { ConnectorService } from '../../../connectors/connectorService';
import { checkRevocation, revocationSteps, type RevocationState } from '../../../diagnostics/revocationCheck';
import type { BotDeps } from '../../deps';
import { tenantIdOf } from '../../turnInfo';
import { recordVerb, type CardVerbs } from '../../cardVerbs';

export interface RevocationFeatureDeps extends Pick<BotDeps, 'config' | 'graph' | 'clock' | 'logger'> {
  /** Names the tenant's other Office 365 connectors, which the grant also serves. */
  connectors: Pick<ConnectorService, 'listStored'>;
}

/** The "Check revocation" button of the card shown after an Office 365 connector is deleted. */
export function revocationCheckButton(): MessageButton {
  return {
    title: 'Check revocation',
    style: 'default',
    verb: REVOCATION_CHECK_VERB,
    command: '',
    args: '',
    wizardId: '',
    move: '',
    connectorId: '',
  };
}

function couldNotVerify(reason: string, checkedBy: string): RevocationCheckCardData {
  return {
    title: 'Could not verify the revocation',
    text: `${reason} Nothing was changed. Check the Office 365 Mover app in the Microsoft Entra admin center > Identity > Applications > Enterprise applications instead.`,
    style: 'attention',
    facts: [],
    warning: '',
    portal: '',
    script: '',
    checkedBy,
  };
}

/** The card for what Graph said; `others` are the tenant's Office 365 connectors still kept. */
export function revocationCardData(
  state: RevocationState,
  ctx: { appId: string; cloud: string; graphHost: string; others: string[]; checkedBy: string },
): RevocationCheckCardData {
  const base = { warning: '', portal: '', script: '', checkedBy: ctx.checkedBy };
  if (state.kind === 'no-service-principal') {
    return {
      ...base,
      title: 'No tenant-wide access left',
      text: `Microsoft Graph finds no service principal for the connector app (app id ${ctx.appId}) in this tenant, so it holds no tenant-wide grant here.`,
      style: 'good',
      facts: [],
    };
  }
  // Graph's names are data: the card binding escapes them for markdown.
  const name = state.servicePrincipal.displayName ?? state.servicePrincipal.appId;
  if (state.kind === 'revoked') {
    return {
      ...base,
      title: 'No tenant-wide access left',
      text: `${name} (app id ${ctx.appId}) holds no tenant-wide delegated grant and no application permission in this tenant. The app itself is still listed in Enterprise applications: delete it there if you no longer migrate.`,
      style: 'good',
      facts: [],
    };
  }
  const steps = revocationSteps(state, ctx.cloud, ctx.graphHost);
  return {
    ...base,
    title: `${name} still holds tenant-wide access`,
    text: 'Deleting the connector here did not remove the admin consent: the connector app can still reach your tenant.',
    style: 'warning',
    facts: [
      ...state.tenantWideGrants.map((g) => ({
        title: 'Granted for the organization',
        value: g.scope ? g.scope : '(no scopes listed)',
      })),
      ...state.appRoleAssignments.map((r) => ({
        title: 'Application permission',
        value: `on ${r.resource}`,
      })),
    ],
    warning:
      ctx.others.length > 0
        ? `This tenant still has ${ctx.others.length === 1 ? 'another Office 365 connector' : `${ctx.others.length} other Office 365 connectors`} (${ctx.others.join(', ')}) using this consent: removing it deauthorizes ${ctx.others.length === 1 ? 'it' : 'them'} too.`
        : '',
    portal: steps.portal,
    script: codeLines(steps.script),
  };
}

/**
 * "Check revocation": asks Graph whether the connector app still holds a tenant-wide grant in
 * the tenant of the conversation (never one named by card data), and says how to remove it.
 */
export async function answerRevocationCheck(
  context: TurnContext,
  deps: RevocationFeatureDeps,
): Promise<void> {
  const tenantId = tenantIdOf(context);
  const { appId, reason } = connectorApp(deps.config);
  const checkedBy = `Checked with Microsoft Graph on ${readerDates(context, deps.logger).dateTime(deps.clock.now())}.`;
  let data: RevocationCheckCardData;
  if (appId === undefined) {
    data = couldNotVerify(`I cannot check: ${reason}`, 'Not checked.');
  } else if (!deps.graph.configured) {
    data = couldNotVerify(
      `I cannot check: Microsoft Graph is not configured (set ${deps.graph.missingSettings().join(' and ')}).`,
      'Not checked.',
    );
  } else {
    try {
      const state = await checkRevocation(deps.graph, tenantId, appId);
      const others = (await deps.connectors.listStored(tenantId))
        .filter((c) => c.type === 'office365')
        .map((c) => c.displayName);
      data = revocationCardData(state, {
        appId,
        cloud: deps.config.cloud,
        graphHost: CLOUD_HOSTS[deps.config.cloud].graphEndpoint,
        others,
        checkedBy,
      });
      deps.logger.info('revocation checked', { tenantId, result: state.kind });
    } catch (err) {
      deps.logger.warn('revocation check failed', { tenantId, error: err });
      data = couldNotVerify(`Microsoft Graph answered: ${(err as Error).message}`, 'Not checked.');
    }
  }
  await context.sendActivity(MessageFactory.attachment(renderCard(revocationCheckCard, data)));
}

/** The "Check revocation" button of the card shown after an Office 365 connector is deleted. */
export function revocationVerbs(deps: RevocationFeatureDeps): CardVerbs {
  return [recordVerb(REVOCATION_CHECK_VERB, (context) => answerRevocationCheck(context, deps))];
}
