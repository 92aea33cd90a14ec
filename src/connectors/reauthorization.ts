/**
 * Reauthorizing an existing connector, in the words of seeds 002/003 ("Reauthorizing
 * connectors"): it is renewed from the connector's own menu in the migration app, never by
 * authorizing a new connector, which would add a second one beside it.
 */

import type { Connector } from './connector';

/** The seed's reason to reauthorize. */
export const REAUTHORIZE_WHY =
  'Reauthorizing a connector is sometimes necessary if we lose authorization or access to your cloud storage accounts or web servers.';

/** The seed's advice, offered wherever a connector has a problem. */
export const REAUTHORIZE_FIRST_STEP =
  'Reauthorizing is also a good first step in trying to resolve most issues with your connectors.';

/** Steps 1 to 4 of the seed, for one connector type. */
export function reauthorizeMenuSteps(typeName: string): string {
  return [
    `1. Find the **Connector** type you want to reauthorize: **${typeName}**.`,
    '2. Select **Manage ▼**.',
    '3. For other **Connector** options, next to **Connect**, select ▼.',
    '4. Select **Reauthorize**.',
  ].join('\n');
}

/** Step 5 of the seed: the original authorization steps follow, from the sign-in on. */
export const REAUTHORIZE_FOLLOW =
  '5. Follow the same steps you performed when you first created the connector to renew the authorization tokens/permissions. The next cards show them again, from the sign-in on.';

/** Why the new-connector path is wrong for a connector that exists. */
export const NOT_A_NEW_CONNECTOR =
  'Do not select **Authorize New Connector**: that adds a second connector instead of renewing this one.';

/**
 * The advice a connector's status shows when it has a problem that reauthorizing may fix
 * ('' when it has none). Waiting for consent is not such a problem: a global admin acts then.
 */
export function reauthorizeAdvice(connector: Pick<Connector, 'status'>): string {
  // Waiting for, or refused, consent: a reviewer acts (or is asked again), not a reauthorization.
  if (connector.status !== 'deauthorized' && connector.status !== 'authorizing') return '';
  return `${REAUTHORIZE_WHY} ${REAUTHORIZE_FIRST_STEP}`;
}
