import type { TurnContext } from 'botbuilder';
import type { WizardButton, WizardStepCardData } from '../cards/wizardCards';
import type { BoxStyle, MessageCardData } from '../cards/messageCard';
import type { Config } from '../config/config';
import type { ConnectorType } from '../connectors/catalog';
import type { Connector } from '../connectors/connector';
import type { AuthorizationOutcome } from '../connectors/lifecycle';
import type { MicrosoftCloud } from '../connectors/clouds';
import type { DateFormatter } from '../util/dates';
import type { ConsentCheckResult, RoleReport } from './flows/consentPort';
import type { StepActor } from '../connectors/authorizationSteps';

/** What a wizard remembers between turns (kept in dialog state, so it survives a restart). */
export interface WizardState {
  wizardId: string;
  type: string;
  tenantId: string;
  /** `teamsId`: the starter's Teams id (`29:…`), which a shared chat's step card names in refresh.userIds. */
  owner: { id: string; name: string; teamsId?: string };
  /** Id the connector gets (or has, when reauthorizing). */
  connectorId: string;
  reauthorize: boolean;
  displayName: string;
  page: string;
  /** Pages visited, for Back. */
  history: string[];
  cloud?: MicrosoftCloud;
  upn?: string;
  role?: 'global' | 'sharepoint';
  /** Global admins found with Graph for the hand-over, or why they could not be listed. */
  globalAdmins?: { id: string; name: string; upn: string }[];
  globalAdminsUnavailable?: string;
  /** The admin chosen for the hand-over (the first, when several were typed). */
  consentAdmin?: { id?: string; name: string; upn: string };
  /** Everyone the hand-over addresses by name (one or several). */
  consentReviewers?: { id?: string; name: string; upn: string }[];
  /** Set when the hand-over goes to everyone holding the reviewer roles (CONSENT_REVIEWER_ROLES). */
  consentToRoles?: boolean;
  /** What Microsoft Graph reported about the person's admin roles when step 5 was reached. */
  graphRoles?: RoleReport;
  /** The consent check at the end of the global-admin path, for the final card. */
  consentCheck?: Pick<ConsentCheckResult, 'kind' | 'message' | 'missing'>;
  /** What happened to the consent request, for the final card. */
  handover?: { delivery?: 'direct' | 'installed' | 'mention'; detail: string };
  /** Non-secret values typed on a keys card, kept to fill it again after a mistake. */
  draft?: Record<string, string>;
  /** The activity id of the card, so it can be updated in place. */
  cardActivityId?: string;
  startedAt: string;
}

/** The part of a step card a flow decides; the mechanism fills in ids, title, owner and notice. */
export type PageView = Pick<
  WizardStepCardData,
  | 'progress'
  | 'who'
  | 'whoStyle'
  | 'heading'
  | 'instruction'
  | 'warnings'
  | 'tips'
  | 'facts'
  | 'code'
  | 'helpText'
> &
  Partial<Pick<WizardStepCardData, 'textInputs' | 'choiceInputs' | 'links' | 'peoplePicker'>> & {
    /** Buttons other than Back and Cancel; defaults to one "Next". */
    buttons?: WizardButton[];
  };

/** What a flow does with a click. */
export type SubmitResult =
  | { kind: 'next'; page?: string; notice?: string; noticeStyle?: BoxStyle }
  | { kind: 'stay'; notice: string; noticeStyle?: BoxStyle }
  | {
      kind: 'finish';
      outcome: Omit<AuthorizationOutcome, 'tenantId' | 'connectorId' | 'type' | 'displayName'>;
    };

/** Settings and side effects a flow may use. */
export interface FlowEnv {
  config: Config;
  context: TurnContext;
  /** How the person reads dates (their time zone and locale from Teams, or UTC). */
  dates: DateFormatter;
  /** Replaces the wizard's card at once with a short message (e.g. while keys are checked). */
  showProgress(title: string, text: string): Promise<void>;
}

/**
 * The steps of one connector type. The shared step-card mechanism (StepCardDialog) renders
 * the pages, keeps the state, and handles Back, Cancel, stale and foreign clicks.
 */
export interface WizardFlow {
  readonly type: ConnectorType;
  /** Pages after the display-name page, in order, for this state (branches may change them). */
  pages(state: WizardState): string[];
  /**
   * Pages of a reauthorization, after the connector's menu in the migration app: the original
   * steps from the sign-in on (seeds 002/003, step 5), never those that authorize a new connector.
   */
  reauthorizePages(state: WizardState): string[];
  /** Who authorizes this type, shown on the reauthorization's first card. */
  readonly authorizer: StepActor;
  /**
   * The type's own warnings (Markdown) for the reauthorization's first card: a seed's opening
   * warning sits on step 1, which a reauthorization skips.
   */
  readonly reauthorizeWarnings?: readonly string[];
  /** Prepares the state when the wizard starts (e.g. reads the person's UPN). */
  start?(state: WizardState, env: FlowEnv): Promise<void>;
  view(state: WizardState, page: string, env: FlowEnv): PageView;
  submit(
    state: WizardState,
    page: string,
    move: string,
    value: Record<string, unknown>,
    env: FlowEnv,
  ): Promise<SubmitResult>;
  /** Runs once the connector is recorded, before the final card (e.g. hands consent to an admin). */
  afterRecord?(state: WizardState, connector: Connector, env: FlowEnv): Promise<Connector>;
  /** The card that replaces the wizard when it ends. */
  done(state: WizardState, connector: Connector, env: FlowEnv): MessageCardData;
}

/** A Next button that submits the card's inputs. */
export function nextButton(title = 'Next'): WizardButton {
  return { title, move: 'next', style: 'positive', inputs: 'auto' };
}

/** "Step N of M" for a page in a list of numbered pages. */
export function stepProgress(index: number, total: number): string {
  return `Step ${index + 1} of ${total}`;
}
