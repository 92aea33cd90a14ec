import connectorListJson from './templates/connectorList.json';
import connectorStatusJson from './templates/connectorStatus.json';
import deleteConfirmJson from './templates/deleteConfirm.json';
import { defineTemplate } from './render';
import type { CardText } from './markdown';

/**
 * Text colours the cards may use. Teams' light theme draws Good (#92c353) and Warning (#f8d22a)
 * text at 2.1:1 and 1.5:1 against white, below WCAG AA, so state is shown by words and symbols in
 * the default colour, with Attention (5.4:1) and Accent (5.4:1) for emphasis.
 */
export type TextColor = 'Default' | 'Attention' | 'Accent';

/** One row of the connectors card. */
export interface ConnectorRow {
  id: string;
  version: number;
  displayName: string;
  typeName: string;
  status: string;
  statusColor: TextColor;
  /** How the state is known: "authorized, reported by Ada on …, not verified". */
  stateText: string;
  lastTransfer: string;
  daysLeft: string;
  daysColor: TextColor;
  /** Whether this viewer gets the row's Reauthorize and Delete (creator or admin group). */
  canManage: boolean;
  /** "Ask the owner: …" for a viewer who may not manage it; '' otherwise. */
  askOwner: string;
}

export interface ConnectorListCardData {
  title: string;
  summary: string;
  rows: ConnectorRow[];
  /** "Show more" and the like: each runs a chat command. */
  buttons: { title: string; command: string; args: string }[];
  /** True when this viewer may not manage some listed connector: a Refresh button is shown. */
  readOnly: boolean;
  /**
   * What Teams sends back (verb connectorListRefresh) when the card is shown to one of `userIds`:
   * the listed connectors' ids, the next page's cursor ('' for none) and which page it is.
   */
  refresh: {
    connectorIds: string[];
    next: string;
    page: 'first' | 'more';
    /** As {@link ConnectorStatusCardData.refreshUserIds}. */
    userIds: string[] | undefined;
  };
}

/**
 * Outside evidence of use (Microsoft Entra's sign-in activity report) on an Office 365 connector's
 * status card; all '' when there is none to show.
 */
export interface ActivityEvidenceRow {
  /** What Entra reports, or why it could not be asked. */
  text: string;
  /** The report's own caveat. */
  note: string;
  /** ISO time of the transfer the evidence suggests recording; '' for none. */
  at: string;
  /** "Record a transfer on <date>", in the reader's date format. */
  buttonTitle: string;
}

/**
 * Microsoft Entra's own admin consent workflow as Entra reports it, on an Office 365 connector's
 * status card; all '' (and no facts) when there is none to show.
 */
export interface ConsentWorkflowRow {
  /** What Entra reports, or why it could not be read. */
  text: string;
  facts: { title: string; value: string }[];
  /** What to do about it, or ''. */
  note: string;
  /** The button to Entra's admin consent requests, or ''. */
  linkTitle: string;
  linkUrl: string;
}

export interface ConnectorStatusCardData {
  id: string;
  version: number;
  displayName: string;
  typeName: string;
  status: string;
  /** The seed's deauthorization error, or '' when there is nothing to flag. */
  alert: string;
  /** The seed's advice that reauthorizing is a good first step, for a connector with a problem. */
  advice: string;
  /** Offers Ask again: the connector's consent request was declined or expired. */
  askAgain: boolean;
  /** Offers the `consents` list (Office 365 connectors, which hand consent over). */
  consentRequests: boolean;
  facts: { title: string; value: string }[];
  /**
   * Whether this viewer gets the buttons that change the connector (creator or admin group);
   * without them the card has "Ask the owner" and a Refresh button.
   */
  canManage: boolean;
  /**
   * Offers Record a transfer: a manager viewing a connector that is not deauthorized (the
   * lifecycle refuses a transfer once the inactivity rule has deauthorized it).
   */
  canRecordTransfer: boolean;
  /** "Ask the owner: …, to reauthorize, record a transfer or delete it"; '' for a manager. */
  askOwner: string;
  evidence: ActivityEvidenceRow;
  consentWorkflow: ConsentWorkflowRow;
  events: { at: string; text: string }[];
  /**
   * Teams user ids (`29:…`) whose clients fetch the current card, as it is for them, when it is
   * shown (verb connectorStatusRefresh): the person in a personal chat, the people who may
   * manage it elsewhere (at most 60). Undefined when anyone of the tenant may manage it: no
   * `userIds`, so Teams refreshes it for every member of a conversation of at most 60.
   */
  refreshUserIds: string[] | undefined;
}

export interface DeleteConfirmCardData {
  id: string;
  /** The revision shown (version and creation time): only that one is deleted. */
  version: number;
  createdAt: string;
  /** The asker's Entra object id: only they may confirm. */
  requestedBy: string;
  displayName: string;
  /** The connector type as the migration app lists it, for the seed's delete steps. */
  typeName: string;
  facts: { title: string; value: string }[];
  /** How to check, and revoke, the migration service's access in the cloud service itself (the catalog's markdown). */
  revokeAccess: CardText;
}

export const connectorListCard = defineTemplate<ConnectorListCardData>('connector-list', connectorListJson);
export const connectorStatusCard = defineTemplate<ConnectorStatusCardData>(
  'connector-status',
  connectorStatusJson,
);
export const deleteConfirmCard = defineTemplate<DeleteConfirmCardData>('delete-confirm', deleteConfirmJson);
