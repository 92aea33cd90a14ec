/**
 * Card verbs used by more than one layer (cards, dialogs and bot features). They live here,
 * beside the cards, so that dialogs need not import bot code.
 */

/** The verb of card buttons that run a chat command, e.g. the help card's "Show connectors". */
export const RUN_COMMAND_VERB = 'command';

/**
 * Card verbs of the consent requests: the reviewer's "I have granted consent" (approve), Decline
 * and Forward; the requester's "Check again" and "Ask again"; "Review" from the `consents` list;
 * `view`, the request card's refresh (Teams runs it when the card is shown, or its Refresh button).
 */
export const CONSENT_VERBS = {
  granted: 'consentGranted',
  check: 'consentCheck',
  decline: 'consentDecline',
  forward: 'consentForward',
  askAgain: 'consentAskAgain',
  review: 'consentReview',
  view: 'consentRequestView',
} as const;
