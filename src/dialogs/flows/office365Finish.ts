import { consentCheckButton } from '../../cards/wizardCards';
import { type MessageCardData } from '../../cards/messageCard';
import { consentLinks } from '../../connectors/consentLinks';
import type { Connector } from '../../connectors/connector';
import type { FlowEnv, WizardState } from '../wizardFlow';
import { md } from '../../cards/markdown';

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
