import { consentCheckButton } from '../../cards/wizardCards';
import { type MessageCardData } from '../../cards/messageCard';
import { consentLinks } from '../../connectors/consentLinks';
import type { Connector } from '../../connectors/connector';
import type { FlowEnv, WizardState } from '../wizardFlow';
import { md, type Markdown } from '../../cards/markdown';
import { stepsReported } from '../../connectors/provenance';

/**
 * What a Graph-verified Office 365 connector rests on, as a card paragraph: Graph shows the app's
 * tenant-wide admin consent (seed 000, steps 6 to 9), not the connector's steps 1 to 4 in Mover,
 * which are the word of whoever ran them. Never "fully authorized": the bot cannot see Mover.
 */
export function graphConsentSummary(connector: Connector, formatDate: (iso: string) => string): Markdown {
  const p = connector.provenance;
  const checked = connector.consent?.verifiedAt ?? (p?.kind === 'verified' ? p.at : undefined);
  const steps = stepsReported(p?.kind === 'verified' ? p.stepsReportedBy : undefined);
  return md`Microsoft Graph shows the Office 365 Mover app’s admin consent for the whole tenant (checked ${checked ? formatDate(checked) : 'just now'}); ${steps}.`;
}

/**
 * The final card of the global-admin path when Graph's consent check did not pass (seed 000,
 * steps 6 to 9): what is missing, or why it could not be checked, the consent links, and Check
 * again. The connector stays awaiting consent: clicking Finish is not evidence of consent.
 */
export function consentNotVerifiedCard(
  state: WizardState,
  connector: Connector,
  env: FlowEnv,
  facts: { title: string; value: string }[],
): MessageCardData {
  const check = state.consentCheck;
  const { facts: consentFacts, links } = consentLinks(state, env);
  const pending = check?.kind === 'pending';
  return {
    title: pending ? 'Admin consent is not verified yet' : 'Admin consent could not be verified',
    text: check?.message ?? 'The consent check did not run.',
    style: 'warning',
    paragraphs: [
      ...(check?.missing ?? []).map((m) => ({ text: md`Missing: **${m.permission}** (${m.allows})` })),
      {
        text: md`**${connector.displayName}** stays **awaiting-consent**: I mark it authorized only when Microsoft Graph confirms the admin consent. Grant it with the links below (steps 6 to 9), then click Check again.`,
      },
    ],
    facts: [...facts, ...consentFacts],
    links,
    buttons: [consentCheckButton(connector.id)],
  };
}
