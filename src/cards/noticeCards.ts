import expiryDigestJson from './templates/expiryDigest.json';
import deauthorizedNoticeJson from './templates/deauthorizedNotice.json';
import subscriptionJson from './templates/subscription.json';
import { defineTemplate } from './render';
import type { TextColor } from './connectorsCards';

/** One connector in an expiry digest. */
export interface DigestRow {
  id: string;
  displayName: string;
  typeName: string;
  daysLeft: string;
  color: TextColor;
  detail: string;
  periodStart: string;
  threshold: number;
  /**
   * The buttons this viewer gets: `all` (reauthorize, record a transfer, snooze) while the notice
   * still applies, `reauthorize` once the connector is deauthorized, `none` for a viewer who may not
   * manage it or when nothing is left to do.
   */
  actions: 'all' | 'reauthorize' | 'none';
  /**
   * The snooze button's title, naming the notice it skips ("Skip the 7-day notice"); '' when no
   * later notice is left to skip (the button is then not shown).
   */
  snoozeTitle: string;
  /** "Ask Ada Lovelace, who created it, …" for a viewer who may not manage it; '' otherwise. */
  askOwner: string;
}

/** Who a card's `refresh` runs for, and with which verb (Universal Actions). */
export interface RefreshTarget {
  verb: string;
  /**
   * Teams user ids (`29:…`, as `activity.from.id` names people) whose clients refresh the card on
   * their own when it is shown (at most 60). Undefined: no `userIds`, so Teams refreshes it for
   * every member of a conversation of at most 60.
   */
  userIds: string[] | undefined;
}

/** What the digest's refresh carries: the notices it showed, never their state. */
export interface DigestRefreshData {
  rows: { id: string; periodStart: string; threshold: number }[];
  hidden: number;
}

export interface ExpiryDigestCardData {
  title: string;
  /** What happens at zero, in the seed's words. */
  rule: string;
  rows: DigestRow[];
  /** "and N more…" when the digest had to be cut to fit Teams' card size, else ''. */
  more: string;
  /** "Current as of …" on a refreshed card; '' on the card as posted. */
  asOf: string;
  /** True when this viewer may not manage some row's connector: a Refresh button is shown. */
  readOnly: boolean;
  refresh: RefreshTarget & DigestRefreshData;
}

export interface DeauthorizedNoticeCardData {
  id: string;
  /** "Finance was deauthorized", or what became of it since ("… was reauthorized", "… was deleted"). */
  headline: string;
  style: 'attention' | 'good' | 'default';
  text: string;
  facts: { title: string; value: string }[];
  /** Whether this viewer gets the Reauthorize button (still deauthorized, and theirs to manage). */
  canReauthorize: boolean;
  /** "Ask the owner: …" with a Refresh button for a viewer who may not manage it; '' otherwise. */
  askOwner: string;
  /** "Current as of …" on a refreshed card; '' on the card as posted. */
  asOf: string;
  refresh: RefreshTarget;
}

export interface SubscriptionCardData {
  title: string;
  text: string;
  style: 'good' | 'default' | 'warning';
  facts: { title: string; value: string }[];
  buttons: { title: string; command: string }[];
}

export const expiryDigestCard = defineTemplate<ExpiryDigestCardData>('expiry-digest', expiryDigestJson);
export const deauthorizedNoticeCard = defineTemplate<DeauthorizedNoticeCardData>(
  'deauthorized-notice',
  deauthorizedNoticeJson,
);
export const subscriptionCard = defineTemplate<SubscriptionCardData>('subscription', subscriptionJson);
