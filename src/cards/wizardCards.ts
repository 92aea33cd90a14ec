import wizardStepJson from './templates/wizardStep.json';
import connectorPickerJson from './templates/connectorPicker.json';
import consentRequestJson from './templates/consentRequest.json';
import type { RetirementNoticeData } from './helpCards';
import type { CardText } from './markdown';
import { defineTemplate } from './render';
import { CONSENT_VERBS } from './verbs';
import type { BoxStyle, MessageButton } from './messageCard';

/** A button of a wizard card; `move` is what the wizard does when it is clicked. */
export interface WizardButton {
  title: string;
  move: string;
  style: 'default' | 'positive' | 'destructive';
  /** "auto" sends and validates the card's inputs; "none" leaves them (Back, Cancel). */
  inputs: 'auto' | 'none';
}

/** Data of one wizard step card. */
export interface WizardStepCardData {
  wizardId: string;
  pageKey: string;
  title: string;
  subtitle: string;
  progress: string;
  who: string;
  whoStyle: BoxStyle;
  heading: string;
  instruction: CardText;
  notice: CardText;
  noticeStyle: BoxStyle;
  warnings: { text: CardText }[];
  tips: { text: CardText }[];
  facts: { title: string; value: string }[];
  code: string;
  textInputs: {
    id: string;
    label: string;
    placeholder: string;
    value: string;
    style: 'text' | 'password' | 'email' | 'url';
    maxLength: number;
    isRequired: boolean;
    errorMessage: string;
  }[];
  choiceInputs: { id: string; label: string; value: string; choices: { title: string; value: string }[] }[];
  links: { title: string; url: string }[];
  /** Shows a directory search (Data.Query on graph.microsoft.com/users) for picking a person. */
  peoplePicker: boolean;
  buttons: WizardButton[];
  helpText: CardText;
  ownerName: string;
  /**
   * In a channel or group chat: the card carries `refresh` for `refreshUserIds` (the person who
   * started the wizard), whose Teams client then fetches the view with the controls.
   */
  shared: boolean;
  refreshUserIds: string[];
  /** Inputs and the wizard's buttons are shown; off in the read-only view everyone else sees. */
  controls: boolean;
  /** The read-only view's line naming who may use the controls; '' with the controls. */
  viewerNote: string;
}

/** Data of the card that asks which connector type to authorize. */
export interface ConnectorPickerCardData {
  groups: {
    title: string;
    services: { service: string; connector: string }[];
    /** `supportText`: where a migration with the type is supported today (the catalog's words). */
    types: { id: string; name: string; summary: string; supportText: string }[];
  }[];
  retirement: RetirementNoticeData;
}

export const wizardStepCard = defineTemplate<WizardStepCardData>('wizard-step', wizardStepJson);
export const connectorPickerCard = defineTemplate<ConnectorPickerCardData>(
  'connector-picker',
  connectorPickerJson,
);

/** Data of the card a global admin receives: who asks, for what, and how to grant consent. */
export interface ConsentRequestCardData {
  connectorId: string;
  connectorName: string;
  requester: string;
  consentLink: string;
  facts: { title: string; value: string }[];
  steps: { text: CardText }[];
  links: { title: string; url: string }[];
  permissions: string;
  /** The consent request the buttons act on; '' on cards without one (no Decline or Forward then). */
  requestId: string;
  /** Who may grant it, and why those roles: the seed names the global admin. */
  rolesText: CardText | '';
  /** Whether Forward offers a directory search (Graph configured). */
  peoplePicker: boolean;
  /** Teams user MRIs whose clients refresh the card into its current state when it is shown. */
  refreshUserIds: string[];
}

export const consentRequestCard = defineTemplate<ConsentRequestCardData>(
  'consent-request',
  consentRequestJson,
);

/** The "Check again" button that verifies an Office 365 connector's admin consent. */
export function consentCheckButton(connectorId: string): MessageButton {
  return {
    title: 'Check again',
    style: 'positive',
    verb: CONSENT_VERBS.check,
    command: '',
    args: connectorId,
    wizardId: '',
    move: '',
    connectorId: '',
  };
}
