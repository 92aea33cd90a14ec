import consentHandledJson from './templates/consentHandled.json';
import consentListJson from './templates/consentList.json';
import type { CardText } from './markdown';
import { defineTemplate } from './render';
import type { BoxStyle } from './messageCard';

/**
 * Data of a consent request as a card without the reviewer's controls: what a reviewer's card
 * turns into once someone decided (or it expired), and the read-only view of an open request.
 */
export interface ConsentHandledCardData {
  title: string;
  text: CardText;
  style: BoxStyle;
  facts: { title: string; value: string }[];
  /** The request the card's refresh and Refresh button read; '' for neither. */
  requestId: string;
  connectorId: string;
  /** Teams user MRIs whose clients refresh the card when it is shown (at most 60). */
  refreshUserIds: string[];
  /** The requester's Check again (an open request) and Ask again (a closed one, the latest). */
  checkAgain: boolean;
  askAgain: boolean;
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
