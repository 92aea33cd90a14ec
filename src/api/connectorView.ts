import { daysUntilExpiry, expiresAt, type Connector } from '../connectors/connector';

/** A connector as the API shows it: the record plus when it expires and how many days are left. */
export type ConnectorView = Connector & { expiresAt: string | null; daysUntilExpiry: number | null };

/** The API view of a connector at `now`; null expiry for a connector that was never authorized. */
export function connectorView(connector: Connector, inactivityDays: number, now: Date): ConnectorView {
  return {
    ...connector,
    expiresAt: expiresAt(connector, inactivityDays)?.toISOString() ?? null,
    daysUntilExpiry: daysUntilExpiry(connector, inactivityDays, now) ?? null,
  };
}
