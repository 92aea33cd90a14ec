import messageJson from './templates/message.json';
import type { CardText } from './markdown';
import { defineTemplate } from './render';
import { RUN_COMMAND_VERB } from './verbs';

/** Container styles the cards use for badges and notices. */
export type BoxStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';

/** A button on a message card: runs a command, or moves a wizard. */
export interface MessageButton {
  title: string;
  style: 'default' | 'positive' | 'destructive';
  verb: string;
  command: string;
  args: string;
  wizardId: string;
  move: string;
  /** The connector a command button names by id ('' for none): names may be shared. */
  connectorId: string;
}

/** Data of the general message card: a title, text, facts, links and buttons (wizard results, errors, confirmations, ...). */
export interface MessageCardData {
  title: string;
  text: CardText;
  style: BoxStyle;
  paragraphs: { text: CardText }[];
  facts: { title: string; value: string }[];
  links: { title: string; url: string }[];
  buttons: MessageButton[];
}

export const messageCard = defineTemplate<MessageCardData>('message', messageJson);

/** A message card with only the fields given; the rest empty. */
export function messageCardData(
  data: Partial<MessageCardData> & Pick<MessageCardData, 'title' | 'text'>,
): MessageCardData {
  return { style: 'default', paragraphs: [], facts: [], links: [], buttons: [], ...data };
}

/** A button that runs a chat command. */
export function commandButton(
  title: string,
  command: string,
  args = '',
  style: MessageButton['style'] = 'default',
  connectorId = '',
): MessageButton {
  return { title, style, verb: RUN_COMMAND_VERB, command, args, wizardId: '', move: '', connectorId };
}
