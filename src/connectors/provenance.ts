import type { Connector } from './connector';

/** How the bot verified a connector's authorization itself. */
export type VerificationMethod = 'graph-consent' | 'container-listing';

/**
 * How a connector's authorization state is known (DESIGN.md "Connector provenance"): checked by
 * the bot (`verified`, with the method), or taken from a person or a system on trust
 * (`reported`, by whom). An admin who reads "authorized" acts on it, so the record says which.
 */
export type Provenance =
  | {
      kind: 'verified';
      method: VerificationMethod;
      at: string;
      /**
       * For `graph-consent`: Graph shows the app's tenant-wide consent, not the connector's steps
       * 1 to 4 in Mover; those rest on the word of whoever ran them (absent on older records).
       */
      stepsReportedBy?: { by: string; byName?: string };
    }
  | {
      kind: 'reported';
      /** Entra object id of the person, or a service name such as "api". */
      by: string;
      /** Display name as shown on cards; absent for services. */
      byName?: string;
      at: string;
    };

/** What each verification method checked, in the words cards use. */
export const VERIFICATION_LABELS: Record<VerificationMethod, string> = {
  'graph-consent': 'the Microsoft Graph check of the Office 365 Mover app’s tenant-wide admin consent',
  'container-listing': 'listing the storage containers with the keys',
};

/** Names a service actor in words; people are named by their display name. */
const SERVICE_ACTORS: Record<string, string> = {
  api: 'the management API (import)',
  scanner: 'the expiry scanner',
};

/**
 * Who reported a state, as a card says it. A person recorded without a name (an import that gave
 * only an object id) is named as an account, so the id does not read as someone's name.
 */
export function reporterName(reporter: { by: string; byName?: string }): string {
  return reporter.byName ?? SERVICE_ACTORS[reporter.by] ?? `the account with Entra object id ${reporter.by}`;
}

/**
 * The provenance of a record written before provenance was recorded, derived from what it
 * holds: a consent verified with Graph, keys checked against the service, else (an authorized
 * one) reported by its creator, or by the import when it has none, at its authorization time.
 * Undefined where nothing was claimed: waiting for consent, or deauthorized without evidence
 * (it may never have been authorized).
 */
export function legacyProvenance(connector: Connector): Provenance | undefined {
  if (connector.status !== 'authorized' && connector.status !== 'deauthorized') return undefined;
  const at = connector.authorizedAt ?? connector.createdAt;
  if (connector.type === 'office365' && connector.consent?.verifiedAt) {
    return { kind: 'verified', method: 'graph-consent', at: connector.consent.verifiedAt };
  }
  if (connector.keysVerified === true) return { kind: 'verified', method: 'container-listing', at };
  if (connector.status !== 'authorized') return undefined;
  return connector.createdBy
    ? { kind: 'reported', by: connector.createdBy, byName: connector.createdByName, at }
    : { kind: 'reported', by: 'api', at };
}

/** A stored record as the current code reads it: rows of older versions get their provenance derived. */
export function upgradeConnector(connector: Connector): Connector {
  if (connector.provenance !== undefined) return connector;
  const derived = legacyProvenance(connector);
  // Not an object spread: V8 gives every object a spread makes from a parsed record a hidden
  // class of its own (about 300 bytes each, 6 MB for a scan's 20,000 due connectors).
  return derived ? Object.assign({}, connector, { provenance: derived }) : connector;
}

/** What Graph cannot show of an Office 365 connector: its steps 1 to 4 in Mover, and who reported them. */
export function stepsReported(by: { by: string; byName?: string } | undefined): string {
  return by
    ? `steps 1 to 4 in Mover reported by ${reporterName(by)}, not verified`
    : 'steps 1 to 4 in Mover not verified';
}

/**
 * One line on how the state is known, with dates through `formatDate`:
 * "authorized, reported by Ada on …, not verified", "authorized, verified on … by the Microsoft
 * Graph consent check", "awaiting-consent, not verified yet".
 */
export function describeState(
  connector: Pick<Connector, 'status' | 'provenance'>,
  formatDate: (iso: string) => string,
): string {
  const p = connector.provenance;
  if (connector.status === 'awaiting-consent') return 'awaiting-consent: admin consent not verified yet';
  if (connector.status === 'consent-declined')
    return 'consent-declined: a reviewer declined the admin consent request (reported by the reviewer)';
  if (connector.status === 'consent-expired')
    return 'consent-expired: the admin consent request expired without a decision';
  if (!p) return connector.status;
  const how =
    p.kind === 'verified'
      ? `verified ${formatDate(p.at)} by ${VERIFICATION_LABELS[p.method]}${p.method === 'graph-consent' ? `; ${stepsReported(p.stepsReportedBy)}` : ''}`
      : `reported by ${reporterName(p)} on ${formatDate(p.at)}, not verified`;
  // A deauthorized connector says how its last authorization was known.
  return connector.status === 'deauthorized'
    ? `deauthorized (was authorized, ${how})`
    : `${connector.status}, ${how}`;
}
