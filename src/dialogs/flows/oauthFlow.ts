import { commandButton, type MessageCardData } from '../../cards/messageCard';
import { connectorType, type ConnectorTypeId } from '../../connectors/catalog';
import {
  APP_ACCESS_ERROR_ADVICE,
  OAUTH_SIGN_IN,
  oauthSteps,
  STEP_ACTOR_LABELS,
} from '../../connectors/authorizationSteps';
import type { Connector } from '../../connectors/connector';
import { describeState } from '../../connectors/provenance';
import {
  nextButton,
  stepProgress,
  type FlowEnv,
  type PageView,
  type SubmitResult,
  type WizardFlow,
} from '../wizardFlow';
import { markdown, md } from '../../cards/markdown';

/**
 * The last button of a sign-in wizard: what the person confirms by clicking it. The bot never
 * sees the sign-in, so the connector is recorded as reported by them.
 */
export const SIGN_IN_CONFIRMATION = 'I confirm I signed in and allowed access';

/** A connector authorized by one person signing in (OneDrive user or consumer, Google, Box, Dropbox, Egnyte). */
export class OAuthFlow implements WizardFlow {
  readonly type;
  readonly authorizer;
  private readonly steps;

  constructor(typeId: ConnectorTypeId) {
    const signIn = OAUTH_SIGN_IN[typeId];
    if (!signIn) throw new Error(`${typeId} is not a sign-in connector`);
    this.type = connectorType(typeId);
    this.authorizer = signIn.who;
    this.steps = oauthSteps(this.type.name, signIn.who, signIn.signIn);
  }

  pages(): string[] {
    return this.steps.map((s) => s.key);
  }

  /** From the sign-in on: the first step authorizes a new connector. */
  reauthorizePages(): string[] {
    return this.pages().slice(1);
  }

  view(_state: unknown, page: string): PageView {
    const index = this.steps.findIndex((s) => s.key === page);
    const step = this.steps[index];
    const last = index === this.steps.length - 1;
    return {
      progress: stepProgress(index, this.steps.length),
      who: STEP_ACTOR_LABELS[step.who],
      whoStyle: 'accent',
      heading: step.title,
      instruction: markdown(step.instruction),
      warnings: (step.warnings ?? []).map((text) => ({ text: markdown(text) })),
      tips: [
        ...(step.tips ?? []).map((text) => ({ text: markdown(text) })),
        ...(last
          ? [
              {
                text: md`I cannot see your sign-in to ${this.type.name.replace(/ Connector$/, '')}. Clicking **${SIGN_IN_CONFIRMATION}** records the connector as authorized, reported by you and not verified.`,
              },
            ]
          : []),
      ],
      facts: [],
      code: '',
      helpText: APP_ACCESS_ERROR_ADVICE,
      buttons: last ? [nextButton(SIGN_IN_CONFIRMATION)] : undefined,
    };
  }

  async submit(_state: unknown, page: string): Promise<SubmitResult> {
    if (page === this.steps[this.steps.length - 1].key)
      return { kind: 'finish', outcome: { status: 'authorized' } };
    return { kind: 'next' };
  }

  done(_state: unknown, connector: Connector, env: FlowEnv): MessageCardData {
    return {
      title: `${this.type.name} authorized`,
      text: md`**${connector.displayName}** is recorded as authorized on your word: I cannot check a sign-in to this service, so its state shows as reported, not verified. Our authorization is lost when you delete the connector, delete your account with us, or revoke our access through your cloud service's security settings.`,
      style: 'good',
      paragraphs: [],
      facts: [
        { title: 'Status', value: describeState(connector, env.dates.dateTime) },
        { title: 'Deauthorized after', value: `${env.config.inactivityDays} days without a transfer` },
      ],
      links: [],
      buttons: [commandButton('Show connectors', 'connectors')],
    };
  }
}
