import revocationCheckJson from './templates/revocationCheck.json';
import type { BoxStyle } from './messageCard';
import { defineTemplate } from './render';

/** Card verb of "Check revocation", offered after an Office 365 connector is deleted. */
export const REVOCATION_CHECK_VERB = 'connectorRevocationCheck';

/** What Graph said about the connector app's tenant-wide access after a delete. */
export interface RevocationCheckCardData {
  title: string;
  text: string;
  style: BoxStyle;
  facts: { title: string; value: string }[];
  /** Other connectors that still rely on the grant, or ''. */
  warning: string;
  /** The Entra admin center path to remove what is left, or ''. */
  portal: string;
  /** PowerShell and Graph requests to remove what is left, or ''. */
  script: string;
  /** How the answer was established ("Checked with Microsoft Graph at …"). */
  checkedBy: string;
}

export const revocationCheckCard = defineTemplate<RevocationCheckCardData>(
  'revocation-check',
  revocationCheckJson,
);
