import { MessageFactory, type TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { renderCard } from '../../../cards/render';
import { CONSENT_VERBS } from '../../../cards/verbs';
import { messageCardData, messageCard } from '../../../cards/messageCard';
import { OFFICE365_CONNECT_DESTINATION } from '../../../connectors/authorizationSteps';
import type { Connector } from '../../../connectors/connector';
import type { ConnectorService } from '../../../connectors/connectorService';
import type { ConsentOutcome, ConsentService } from '../../../connectors/consentService';
import { GRAPH_PERMISSIONS } from '../../../graph/graphPermissions';
import { notifyRequester } from './consentHandover';
import { graphConsentSummary } from '../../../dialogs/flows/office365Finish';
import { UTC_DATES } from '../../../util/dates';
import type { BotDeps } from '../../deps';
import { actorOf, tenantIdOf } from '../../turnInfo';
import { markdown, md, mdText } from '../../../cards/markdown';
import { isConsentAddressee } from './consentAddressee';
import { recordVerb } from '../../cardVerbs';
import type { FeatureTables } from '../../chatCommands';
import { checkReviewer } from './consentAuthorization';
import type { ConnectorLifecycle } from '../../../connectors/lifecycle';
import { closeOnVerified, saveRequest } from './consentRequests';
import {
  reportConsentGranted,
  type ConsentReport,
  type ConsentRequest,
} from '../../../connectors/consentRequest';

/** The Data.Query dataset of the people picker. */
export const PEOPLE_DATASET = 'graph.microsoft.com/users';

export interface ConsentFeatureDeps extends Pick<
  BotDeps,
  'config' | 'store' | 'logger' | 'graph' | 'messenger' | 'clock' | 'teamsUserIds'
> {
  /** Audits the consent request's closing. */
  lifecycle: Pick<ConnectorLifecycle, 'audit'>;
  /** Loads the connector a consent button names, deauthorized first when its 90 days are up. */
  connectors: Pick<ConnectorService, 'load'>;
  /** Checks and records the admin consent. */
  consent: ConsentService;
}

/**
 * The outcome of checking a connector's consent with Graph; a verified one says whether the
 * person who asked for it was reached with the news.
 */
export type ConsentCheckOutcome =
  | Exclude<ConsentOutcome, { kind: 'verified' }>
  | (Extract<ConsentOutcome, { kind: 'verified' }> & { requesterTold: boolean });

/**
 * Verifies an awaiting-consent connector's admin consent through the consent service; when
 * consent is there (and recorded), tells the requester where the wizard ran and turns their
 * wizard card to "done".
 */
export async function verifyConsent(
  deps: Pick<
    ConsentFeatureDeps,
    'consent' | 'store' | 'logger' | 'messenger' | 'clock' | 'config' | 'lifecycle' | 'teamsUserIds'
  >,
  connector: Connector,
  actor: { id: string; name?: string },
): Promise<ConsentCheckOutcome> {
  const outcome = await deps.consent.verify(connector, actor);
  if (outcome.kind !== 'verified') return outcome;
  const verified = outcome.connector;
  await closeOnVerified(deps, verified, actor);
  const done = renderCard(
    messageCard,
    messageCardData({
      title: 'Connect your destination Office 365 account',
      text: markdown(OFFICE365_CONNECT_DESTINATION),
      style: 'good',
      paragraphs: [
        {
          text: md`Admin consent for **${verified.displayName}** is verified. ${graphConsentSummary(verified, UTC_DATES.dateTime)}`,
        },
      ],
      // Graph shows that the tenant-wide grant exists, not who made it: the card names who was
      // asked and whose check found it, never someone as the one who granted it.
      facts: [
        {
          title: 'Consent',
          value: 'verified with Microsoft Graph (a tenant-wide grant to the connector app)',
        },
        { title: 'Check run by', value: actor.name ?? actor.id },
        ...(verified.consent?.requestedFrom
          ? [{ title: 'Requested from', value: verified.consent.requestedFrom }]
          : []),
        { title: 'Status', value: verified.status },
      ],
    }),
  );
  const requesterTold = await notifyRequester(
    deps,
    verified,
    done,
    mdText`Admin consent for ${verified.displayName} is verified.`,
  );
  return { kind: 'verified', connector: verified, requesterTold };
}

/** Who checks a consent on the scan's behalf, as cards and the audit log name it. */
const SCHEDULED_CHECK = { id: 'scanner', name: 'the scheduled scan' };

/**
 * The scan's check of a consent before it reminds anyone or expires the request: a global admin
 * may have granted it in the Azure portal (seed 000, steps 6 to 9) without telling the bot.
 * True when Microsoft Graph confirms it; it is then recorded as any verification is.
 */
export function consentCheckBeforeReminder(
  deps: Parameters<typeof verifyConsent>[0],
): (connector: Connector) => Promise<boolean> {
  return async (connector) => (await verifyConsent(deps, connector, SCHEDULED_CHECK)).kind === 'verified';
}

/**
 * The connector a consent button names, loaded through the connector service, so a connector past its
 * 90 days is deauthorized first and consent then authorizes it afresh, instead of keeping its
 * stale clock. Answers and returns undefined when there is nothing to verify.
 */
async function loadForConsent(
  deps: ConsentFeatureDeps,
  context: TurnContext,
  id: unknown,
): Promise<Connector | undefined> {
  const connector =
    typeof id === 'string' && id
      ? await deps.connectors.load(tenantIdOf(context), id, actorOf(context))
      : undefined;
  if (!connector || connector.type !== 'office365') {
    await context.sendActivity('That connector does not exist in this tenant. Nothing was changed.');
    return undefined;
  }
  if (connector.consent?.verifiedAt && connector.status === 'authorized') {
    await context.sendActivity(mdText`Admin consent for ${connector.displayName} is already verified.`);
    return undefined;
  }
  return connector;
}

/** Tells the clicker what the consent check found. */
async function answerConsentCheck(context: TurnContext, outcome: ConsentCheckOutcome): Promise<void> {
  if (outcome.kind === 'verified') {
    // Said only when the news reached them; `status` shows it to them otherwise.
    const told = outcome.requesterTold
      ? ', and I told the person who asked'
      : outcome.connector.consent?.requestedBy
        ? '. I could not reach the person who asked to tell them; they see it in status'
        : '';
    await context.sendActivity(
      mdText`Thank you: admin consent for ${outcome.connector.displayName} is verified with Microsoft Graph${told}. It is authorized.`,
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
            outcome.kind === 'pending'
              ? outcome.missing.map((m) => ({ text: md`Missing: **${m.permission}** (${m.allows})` }))
              : [],
        }),
      ),
    ),
  );
}

/**
 * Keeps a reviewer's "I have granted consent" that Graph did not confirm on the request, so its
 * cards say who reported it and that the check is pending. A lost race is left to the winner.
 */
async function rememberReport(
  deps: ConsentFeatureDeps,
  request: ConsentRequest,
  actor: { id: string; name: string },
  check: ConsentReport['check'],
): Promise<void> {
  const moved = reportConsentGranted(request, actor, check, deps.clock.now());
  if (!moved.ok) return;
  const saved = await saveRequest(deps, moved.request);
  if (saved === 'conflict')
    deps.logger.info('consent report not kept: the request changed', { requestId: request.id });
}

/** The admin's "I have granted consent": only the admin it was sent to may report it. */
async function consentGranted(
  deps: ConsentFeatureDeps,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<void> {
  const connector = await loadForConsent(deps, context, data.connectorId);
  if (!connector) return;
  // The card's request (an older one after Ask again is closed and says so), else the latest.
  const requestId =
    typeof data.requestId === 'string' && data.requestId ? data.requestId : connector.consent?.requestId;
  const request = requestId ? await deps.store.consentRequests.get(connector.tenantId, requestId) : undefined;
  if (request && request.connectorId === connector.id) {
    const check = await checkReviewer(context, request, deps, 'approve');
    if (!check.allowed) {
      deps.logger.warn('consent reported by someone it was not sent to', {
        connectorId: connector.id,
        requestId: request.id,
      });
      await deps.messenger.replyPrivately(context, mdText`${check.message}`);
      return;
    }
    const outcome = await verifyConsent(deps, connector, check.actor);
    if (outcome.kind !== 'verified') await rememberReport(deps, check.request, check.actor, outcome.kind);
    await answerConsentCheck(context, outcome);
    return;
  }
  if (!(await isConsentAddressee(context, connector, deps))) {
    deps.logger.warn('consent reported by someone it was not sent to', { connectorId: connector.id });
    await deps.messenger.replyPrivately(
      context,
      mdText`Only ${connector.consent?.requestedFrom ?? 'the global admin it was sent to'} can report this consent. Nothing was changed.`,
    );
    return;
  }
  await answerConsentCheck(context, await verifyConsent(deps, connector, actorOf(context)));
}

/** The requester's "Check again". */
async function consentCheck(
  deps: ConsentFeatureDeps,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<void> {
  const connector = await loadForConsent(deps, context, data.args ?? data.connectorId);
  if (!connector) return;
  await answerConsentCheck(context, await verifyConsent(deps, connector, actorOf(context)));
}

/** The people picker's directory search (Data.Query), by display name or UPN prefix. */
async function searchPeople(
  deps: ConsentFeatureDeps,
  context: TurnContext,
  query: { parameters?: { queryText?: unknown }; count?: number },
): Promise<{ title: string; value: string }[]> {
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
}

/** The admin's and the requester's consent buttons. */
export function consentFeature(deps: ConsentFeatureDeps): FeatureTables {
  return {
    commands: [],
    verbs: [
      recordVerb(CONSENT_VERBS.granted, (context, _state, data) => consentGranted(deps, context, data)),
      recordVerb(CONSENT_VERBS.check, (context, _state, data) => consentCheck(deps, context, data)),
    ],
  };
}

/** The directory search of the wizard's people picker. */
export function registerPeopleSearch(app: Application<TurnState>, deps: ConsentFeatureDeps): void {
  app.adaptiveCards.search(PEOPLE_DATASET, (context, _state, query) => searchPeople(deps, context, query));
}
