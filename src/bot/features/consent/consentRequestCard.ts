import type { Attachment } from 'botbuilder';
import { markdown, type Markdown } from '../../../cards/markdown';
import { renderCard } from '../../../cards/render';
import { consentRequestCard } from '../../../cards/wizardCards';
import { consentHandledCard, type ConsentHandledCardData } from '../../../cards/consentCards';
import type { Config } from '../../../config/config';
import { OFFICE365_STEPS } from '../../../connectors/authorizationSteps';
import type { Connector } from '../../../connectors/connector';
import { consentLinks } from '../../../connectors/consentLinks';
import { reviewerNames, type ConsentRequest } from '../../../connectors/consentRequest';
import { REQUIRED_CONSENT_SCOPES } from '../../../diagnostics/consentCheck';
import type { GraphGateway } from '../../../graph/graphGateway';
import { UTC_DATES, type DateFormatter } from '../../../util/dates';
import { GUID } from '../../../util/ids';
import type { BotDeps } from '../../deps';
import type { TeamsUserIds } from '../../teamsUserIds';
import { MAX_REFRESH_USERS } from '../liveCards/cardViewers';

/**
 * Why these people may decide, as the request card says it: the seed names the global admin;
 * the other configured roles can grant tenant-wide consent to delegated permissions too.
 */
export function reviewerRolesText(config: Pick<Config, 'consentReviewerRoles'>): Markdown {
  const others = config.consentReviewerRoles.filter((r) => r.name !== 'Global Administrator');
  const base =
    'The Office 365 Connector steps name a **global admin** (Global Administrator) for steps 6 to 9.';
  if (others.length === 0) return markdown(base);
  return markdown(
    `${base} This tenant also accepts a decision from these roles, because Microsoft Entra lets them grant tenant-wide admin consent to delegated permissions, which is what the Office 365 Mover app asks for: ${others
      .map((r) => `**${r.name}** (${r.why})`)
      .join('; ')}.`,
  );
}

/**
 * Who a consent request card refreshes for when Teams shows it, as Teams user ids (`29:…`, see
 * TeamsUserIds): the reviewers known by Entra object id, then the person who asked, at most
 * {@link MAX_REFRESH_USERS}. Anyone else, or anyone the bot has not met in Teams yet, sees the
 * card as it was sent and its Refresh button, whose answer is their own view.
 */
export async function requestViewerIds(
  teamsUserIds: Pick<TeamsUserIds, 'lookup'>,
  request: Pick<ConsentRequest, 'tenantId' | 'reviewers' | 'requester'>,
): Promise<string[]> {
  const entraIds = [...request.reviewers.map((r) => r.id), request.requester.id].filter(
    (id): id is string => !!id && GUID.test(id),
  );
  return teamsUserIds.lookup(request.tenantId, entraIds, MAX_REFRESH_USERS);
}

/** "Adele Admin to Bob Apps (2026-03-02 09:10 UTC)" for each forward, for a card's facts. */
export function forwardFacts(
  request: Pick<ConsentRequest, 'forwards'>,
  dates: DateFormatter = UTC_DATES,
): { title: string; value: string }[] {
  return request.forwards.map((f) => ({
    title: 'Forwarded',
    value: `to ${f.to.name} by ${f.from.name} on ${dates.dateTime(f.at)}`,
  }));
}

/**
 * A reviewer's report that Graph did not confirm, as a fact: who said so and when, and that the
 * consent is not verified. Empty without one.
 */
export function reportFacts(
  request: Pick<ConsentRequest, 'report' | 'state'>,
  dates: DateFormatter = UTC_DATES,
): { title: string; value: string }[] {
  const report = request.state === 'open' ? request.report : undefined;
  if (!report) return [];
  const found =
    report.check === 'pending'
      ? 'Microsoft Graph did not find the consent yet, so it is not verified'
      : 'the Microsoft Graph check could not run, so it is not verified';
  return [
    {
      title: 'Reported granted',
      value: `by ${report.by.name} on ${dates.dateTime(report.at)}; ${found}`,
    },
  ];
}

/** The consent request card for one connector, as the admin receives it. */
export function consentRequestAttachment(
  deps: Pick<BotDeps, 'config'> & { graph?: Pick<GraphGateway, 'configured'> },
  connector: Connector,
  requester: string,
  request?: ConsentRequest,
  dates: DateFormatter = UTC_DATES,
  /** Teams ids whose clients refresh the card ({@link requestViewerIds}); none in a 1:1 chat. */
  refreshUserIds: string[] = [],
): Attachment {
  const { facts, links } = consentLinks(
    { cloud: connector.cloud as never, tenantId: connector.tenantId },
    deps,
  );
  return renderCard(consentRequestCard, {
    connectorId: connector.id,
    connectorName: connector.displayName,
    requester,
    consentLink: deps.config.adminConsentLink,
    facts: [
      { title: 'Requested by', value: requester },
      { title: 'Connector', value: connector.displayName },
      { title: 'Tenant', value: connector.tenantId },
      ...(request
        ? [
            { title: 'Sent to', value: reviewerNames(request) },
            ...forwardFacts(request, dates),
            ...reportFacts(request, dates),
            { title: 'Expires', value: dates.dateTime(request.expiresAt) },
          ]
        : []),
      ...facts,
    ],
    steps: OFFICE365_STEPS.slice(5).map((s, i) => ({ text: markdown(`${i + 6}. ${s.instruction}`) })),
    links,
    permissions: REQUIRED_CONSENT_SCOPES.map((r) => r.permission).join('; '),
    requestId: request?.id ?? '',
    rolesText: request ? reviewerRolesText(deps.config) : '',
    peoplePicker: deps.graph?.configured ?? false,
    refreshUserIds: request ? refreshUserIds : [],
  });
}

/**
 * A consent request without the reviewer's controls (a closed, waiting or replaced view) as a
 * card whose refresh names `refreshUserIds` ({@link requestViewerIds}).
 */
export function requestViewCard(view: ConsentHandledCardData, refreshUserIds: string[]): Attachment {
  return renderCard(consentHandledCard, { ...view, refreshUserIds });
}
