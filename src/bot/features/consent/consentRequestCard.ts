import type { Attachment } from 'botbuilder';
import { markdown, type Markdown } from '../../../cards/markdown';
import { renderCard } from '../../../cards/render';
import { consentRequestCard } from '../../../cards/wizardCards';
import type { Config } from '../../../config/config';
import { OFFICE365_STEPS } from '../../../connectors/authorizationSteps';
import type { Connector } from '../../../connectors/connector';
import { consentLinks } from '../../../connectors/consentLinks';
import { reviewerNames, type ConsentRequest } from '../../../connectors/consentRequest';
import { REQUIRED_CONSENT_SCOPES } from '../../../diagnostics/consentCheck';
import type { GraphGateway } from '../../../graph/graphGateway';
import { UTC_DATES } from '../../../util/dates';
import type { BotDeps } from '../../deps';

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

/** The consent request card for one connector, as the admin receives it. */
export function consentRequestAttachment(
  deps: Pick<BotDeps, 'config'> & { graph?: Pick<GraphGateway, 'configured'> },
  connector: Connector,
  requester: string,
  request?: ConsentRequest,
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
            { title: 'Expires', value: UTC_DATES.dateTime(request.expiresAt) },
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
  });
}
