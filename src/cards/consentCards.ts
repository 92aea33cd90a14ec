import consentHandledJson from './templates/consentHandled.json';
import consentListJson from './templates/consentList.json';
import type { CardText } from './markdown';
import { defineTemplate } from './render';
import type { BoxStyle } from './messageCard';

/** Data of the card a reviewer's request turns into once someone decided (or it expired). */
export interface ConsentHandledCardData {
  title: string;
  text: CardText;
  style: BoxStyle;
  facts: { title: string; value: string }[];
}

/** One button of a row of the `consents` list. */
export interface ConsentListAction {
  title: string;
  style: 'default' | 'positive' | 'destructive';
  verb: string;
  command: string;
  args: string;
  connectorId: string;
  requestId: string;
}

/** Data of the `consents` list: open, declined and expired requests of the tenant, newest first. */
export interface ConsentListCardData {
  title: string;
  summary: string;
  rows: {
    connectorName: string;
    stateText: string;
    color: 'Default' | 'Accent' | 'Attention' | 'Warning' | 'Good';
    facts: { title: string; value: string }[];
    /** Empty for a viewer who neither reviews nor asked: the row is read-only. */
    actions: ConsentListAction[];
  }[];
}

export const consentHandledCard = defineTemplate<ConsentHandledCardData>(
  'consent-handled',
  consentHandledJson,
);
export const consentListCard = defineTemplate<ConsentListCardData>('consent-list', consentListJson);
