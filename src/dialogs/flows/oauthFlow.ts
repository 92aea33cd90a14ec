import { commandButton, type WizardMessageCardData } from '../../cards/wizardCards';
import { connectorType, type ConnectorTypeId } from '../../connectors/catalog';
import {
  APP_ACCESS_ERROR_ADVICE,
  OAUTH_SIGN_IN,
  oauthSteps,
  STEP_ACTOR_LABELS,
} from '../../connectors/authorizationSteps';
import type { Connector } from '../../connectors/connector';
import {
  nextButton,
  stepProgress,
  type FlowEnv,
  type PageView,
  type SubmitResult,
  type WizardFlow,
} from '../wizardFlow';
import { markdown, md } from '../../cards/markdown';

/** A connector authorized by one person signing in (OneDrive user or consumer, Google, Box, Dropbox, Egnyte). */
export class OAuthFlow implements WizardFlow {
  readonly type;
  private readonly steps;

  constructor(typeId: ConnectorTypeId) {
    const signIn = OAUTH_SIGN_IN[typeId];
    if (!signIn) throw new Error(`${typeId} is not a sign-in connector`);
    this.type = connectorType(typeId);
    this.steps = oauthSteps(this.type.name, signIn.who, signIn.signIn);
  }

  pages(): string[] {
    return this.steps.map((s) => s.key);
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
      tips: (step.tips ?? []).map((text) => ({ text: markdown(text) })),
      facts: [],
      code: '',
      helpText: APP_ACCESS_ERROR_ADVICE,
      buttons: last ? [nextButton('I have signed in: finish')] : undefined,
    };
  }

  async submit(_state: unknown, page: string): Promise<SubmitResult> {
    if (page === this.steps[this.steps.length - 1].key)
      return { kind: 'finish', outcome: { status: 'authorized' } };
    return { kind: 'next' };
  }

  done(_state: unknown, connector: Connector, env: FlowEnv): WizardMessageCardData {
    return {
      title: `${this.type.name} authorized`,
      text: md`**${connector.displayName}** is ready for transfers. Our authorization is lost when you delete the connector, delete your account with us, or revoke our access through your cloud service's security settings.`,
      style: 'good',
      paragraphs: [],
      facts: [
        { title: 'Status', value: connector.status },
        { title: 'Deauthorized after', value: `${env.config.inactivityDays} days without a transfer` },
      ],
      links: [],
      buttons: [commandButton('Show connectors', 'connectors')],
    };
  }
}
