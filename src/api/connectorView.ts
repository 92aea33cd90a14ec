import { daysUntilExpiry, expiresAt, type Connector } from '../connectors/connector';
import { describeState } from '../connectors/provenance';

/**
 * A connector as the API shows it: the record (with `provenance`: verified how, or reported by
 * whom), when it expires, how many days are left, and `state`, the sentence cards show.
 */
export type ConnectorView = Connector & {
  expiresAt: string | null;
  daysUntilExpiry: number | null;
  state: string;
};

/** The API view of a connector at `now`; null expiry for a connector that was never authorized. */
export function connectorView(connector: Connector, inactivityDays: number, now: Date): ConnectorView {
  return {
    ...connector,
    expiresAt: expiresAt(connector, inactivityDays)?.toISOString() ?? null,
    daysUntilExpiry: daysUntilExpiry(connector, inactivityDays, now) ?? null,
    state: describeState(connector, (iso) => iso),
  };
}
