import { MessageFactory, type TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { renderCard } from '../../../cards/render';
import { CONSENT_VERBS } from '../../../cards/verbs';
import { messageCardData, messageCard } from '../../../cards/messageCard';
import { OFFICE365_CONNECT_DESTINATION } from '../../../connectors/authorizationSteps';
import type { Connector } from '../../../connectors/connector';
import type { ConnectorLifecycle } from '../../../connectors/lifecycle';
import { checkConsent, describeConsent, type ConsentState } from '../../../diagnostics/consentCheck';
import type { GraphGateway } from '../../../graph/graphGateway';
import { GRAPH_PERMISSIONS } from '../../../graph/graphPermissions';
import { notifyRequester } from './consentHandover';
import type { BotDeps } from '../../deps';
import { actorOf, tenantIdOf } from '../../turnInfo';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import { markdown, md } from '../../../cards/markdown';
import { isConsentAddressee } from './consentAddressee';
import { replyPrivately } from '../../privateReply';
import { recordVerb, registerCardVerbs } from '../../cardVerbs';

/** The Data.Query dataset of the people picker. */
export const PEOPLE_DATASET = 'graph.microsoft.com/users';

export interface ConsentFeatureDeps extends BotDeps {
  adapter: TeamsAdapter;
  graph: GraphGateway;
  lifecycle: ConnectorLifecycle;
}

/** The outcome of checking a connector's consent with Graph. */
export type ConsentCheckOutcome =
  | { kind: 'verified'; connector: Connector }
  | {
      kind: 'pending';
      state: ConsentState;
      message: string;
      missing: { permission: string; allows: string }[];
    }
  | { kind: 'unavailable'; message: string };

/**
 * Verifies an awaiting-consent connector with Microsoft Graph; when consent is there, records it,
 * tells the requester where the wizard ran and turns their wizard card to "done".
 */
export async function verifyConsent(
  deps: ConsentFeatureDeps,
  connector: Connector,
  actor: { id: string; name?: string },
): Promise<ConsentCheckOutcome> {
  if (!deps.config.connectorAppId) {
    return { kind: 'unavailable', message: 'I cannot check consent: CONNECTOR_APP_ID is not configured.' };
  }
  if (!deps.graph.configured) {
    return {
      kind: 'unavailable',
      message: `I cannot check consent with Microsoft Graph: set ${deps.graph.missingSettings().join(' and ')}.`,
    };
  }
  let state: ConsentState;
  try {
    state = await checkConsent(deps.graph, connector.tenantId, deps.config.connectorAppId);
  } catch (err) {
    return { kind: 'unavailable', message: `I could not check consent: ${(err as Error).message}` };
  }
  if (state.kind !== 'granted') {
    return {
      kind: 'pending',
      state,
      message: `${describeConsent(state)} Consent can take a few minutes to replicate; check again shortly.`,
      missing: state.kind === 'no-service-principal' ? [] : state.missing,
    };
  }
  const verified = await deps.lifecycle.recordConsentVerified(connector, actor);
  const done = renderCard(
    messageCard,
    messageCardData({
      title: 'Connect your destination Office 365 account',
      text: markdown(OFFICE365_CONNECT_DESTINATION),
      style: 'good',
      paragraphs: [
        {
          text: md`Admin consent for **${verified.displayName}** is verified: your **Office 365 Connector** is fully authorized and ready to go.`,
        },
      ],
      facts: [
        {
          title: 'Consent granted by',
          value: verified.consent?.requestedFrom ?? actor.name ?? 'a global admin',
        },
        { title: 'Status', value: verified.status },
      ],
    }),
  );
  await notifyRequester(deps, verified, done, `Admin consent for ${verified.displayName} is verified.`);
  return { kind: 'verified', connector: verified };
}

/** The admin's and the requester's consent buttons, and the directory search of the people picker. */
export function registerConsent(app: Application<TurnState>, deps: ConsentFeatureDeps): void {
  const load = async (context: TurnContext, id: unknown) => {
    // Loaded through the lifecycle, so a connector past its 90 days is deauthorized first and
    // consent then authorizes it afresh, instead of keeping its stale clock.
    const connector =
      typeof id === 'string' && id
        ? await deps.lifecycle.load(tenantIdOf(context), id, actorOf(context))
        : undefined;
    if (!connector || connector.type !== 'office365') {
      await context.sendActivity('That connector does not exist in this tenant. Nothing was changed.');
      return undefined;
    }
    if (connector.consent?.verifiedAt && connector.status === 'authorized') {
      await context.sendActivity(`Admin consent for ${connector.displayName} is already verified.`);
      return undefined;
    }
    return connector;
  };

  const answer = async (context: TurnContext, outcome: ConsentCheckOutcome) => {
    if (outcome.kind === 'verified') {
      const told = outcome.connector.consent?.requesterConversationId
        ? ', and I told the person who asked'
        : '';
      await context.sendActivity(
        `Thank you: admin consent for ${outcome.connector.displayName} is verified with Microsoft Graph${told}. It is authorized.`,
      );
      return;
    }
    await context.sendActivity(
      MessageFactory.attachment(
        renderCard(
          messageCard,
          messageCardData({
            title: outcome.kind === 'pending' ? 'Consent is not there yet' : 'Consent could not be checked',
            text: outcome.message,
            style: 'warning',
            paragraphs:
              outcome.kind === 'pending' && outcome.state.kind !== 'no-service-principal'
                ? outcome.state.missing.map((m) => ({ text: md`Missing: **${m.permission}** (${m.allows})` }))
                : [],
          }),
        ),
      ),
    );
  };

  registerCardVerbs(
    app,
    [
      recordVerb(CONSENT_VERBS.granted, async (context, _state, data) => {
        const connector = await load(context, data.connectorId);
        if (!connector) return;
        const actor = actorOf(context);
        if (!(await isConsentAddressee(context, connector, deps))) {
          deps.logger.warn('consent reported by someone it was not sent to', { connectorId: connector.id });
          await replyPrivately(
            context,
            `Only ${connector.consent?.requestedFrom ?? 'the global admin it was sent to'} can report this consent. Nothing was changed.`,
            deps.config.bot.appId ?? '',
            deps.logger,
          );
          return;
        }
        await answer(context, await verifyConsent(deps, connector, actor));
      }),
    ],
    deps.logger,
  );

  registerCardVerbs(
    app,
    [
      recordVerb(CONSENT_VERBS.check, async (context, _state, data) => {
        const connector = await load(context, data.args ?? data.connectorId);
        if (!connector) return;
        await answer(context, await verifyConsent(deps, connector, actorOf(context)));
      }),
    ],
    deps.logger,
  );

  app.adaptiveCards.search(PEOPLE_DATASET, async (context, _state, query) => {
    if (!deps.graph.configured) return [];
    const text = String(query.parameters?.queryText ?? '')
      .replace(/'/g, "''")
      .slice(0, 64);
    if (text.length < 1) return [];
    // Percent-encoded, so that "R&D" or "#" stays part of the search text.
    const literal = encodeURIComponent(text);
    let users: { value: { id: string; displayName?: string; userPrincipalName?: string }[] };
    try {
      users = await deps.graph.get(
        tenantIdOf(context),
        `/users?$filter=startswith(displayName,'${literal}') or startswith(userPrincipalName,'${literal}')&$select=id,displayName,userPrincipalName&$top=${Math.min(query.count || 15, 25)}`,
        { permission: GRAPH_PERMISSIONS.userRead },
      );
    } catch (err) {
      // A typeahead runs on every keystroke: a failure empties the list instead of posting errors.
      deps.logger.warn('directory search failed', { error: err });
      return [];
    }
    return users.value.map((u) => ({
      title: `${u.displayName ?? u.userPrincipalName} (${u.userPrincipalName ?? ''})`,
      value: u.id,
    }));
  });
}
