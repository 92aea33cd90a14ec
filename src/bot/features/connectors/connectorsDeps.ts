import type { Connector } from '../../../connectors/connector';
import type { ConnectorService } from '../../../connectors/connectorService';
import type { BotDeps } from '../../deps';

/**
 * What the connectors feature's commands and card verbs use: the list, status, manage and
 * guidance modules share it.
 */
export interface ConnectorsFeatureDeps extends Pick<
  BotDeps,
  'config' | 'store' | 'logger' | 'clock' | 'graph' | 'adminGroup' | 'teamsUserIds'
> {
  /** Listing, loading, permissions, transfers and deletes, with the domain's rules. */
  connectors: ConnectorService;
  /** Checks an Office 365 connector's admin consent with Graph (and records it when granted). */
  verifyConsent?(
    connector: Connector,
    actor: { id: string; name?: string },
  ): Promise<{ kind: string; connector?: Connector; message?: string }>;
}
