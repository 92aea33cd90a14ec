import wizardStepJson from './templates/wizardStep.json';
import wizardMessageJson from './templates/wizardMessage.json';
import connectorPickerJson from './templates/connectorPicker.json';
import { defineTemplate } from './render';

/** Container styles the cards use for badges and notices. */
export type BoxStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';

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
  instruction: string;
  notice: string;
  noticeStyle: BoxStyle;
  warnings: { text: string }[];
  tips: { text: string }[];
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
  buttons: WizardButton[];
  helpText: string;
  ownerName: string;
}

/** A button on a message card: runs a command, or moves a wizard. */
export interface MessageButton {
  title: string;
  style: 'default' | 'positive' | 'destructive';
  verb: string;
  command: string;
  args: string;
  wizardId: string;
  move: string;
}

/** Data of a short message card (wizard finished, cancelled, resume or start over, ...). */
export interface WizardMessageCardData {
  title: string;
  text: string;
  style: BoxStyle;
  paragraphs: { text: string }[];
  facts: { title: string; value: string }[];
  links: { title: string; url: string }[];
  buttons: MessageButton[];
}

/** Data of the card that asks which connector type to authorize. */
export interface ConnectorPickerCardData {
  groups: {
    title: string;
    services: { service: string; connector: string }[];
    types: { id: string; name: string; summary: string }[];
  }[];
}

export const wizardStepCard = defineTemplate<WizardStepCardData>('wizard-step', wizardStepJson);
export const wizardMessageCard = defineTemplate<WizardMessageCardData>('wizard-message', wizardMessageJson);
export const connectorPickerCard = defineTemplate<ConnectorPickerCardData>(
  'connector-picker',
  connectorPickerJson,
);

/** A message card with only the fields given; the rest empty. */
export function messageCardData(
  data: Partial<WizardMessageCardData> & Pick<WizardMessageCardData, 'title' | 'text'>,
): WizardMessageCardData {
  return { style: 'default', paragraphs: [], facts: [], links: [], buttons: [], ...data };
}

/** A button that runs a chat command. */
export function commandButton(
  title: string,
  command: string,
  args = '',
  style: MessageButton['style'] = 'default',
): MessageButton {
  return { title, style, verb: 'command', command, args, wizardId: '', move: '' };
}
