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
}

export interface ExpiryDigestCardData {
  title: string;
  /** What happens at zero, in the seed's words. */
  rule: string;
  rows: DigestRow[];
  /** "and N more…" when the digest had to be cut to fit Teams' card size, else ''. */
  more: string;
}

export interface DeauthorizedNoticeCardData {
  id: string;
  displayName: string;
  text: string;
  facts: { title: string; value: string }[];
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
