import type { Config } from '../config/config';
import type { ConnectorService } from '../connectors/connectorService';
import type { ImportService } from '../connectors/importService';
import type { ActorRef } from '../connectors/lifecycle';
import type { AuditLog } from '../connectors/ports';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { FetchJson } from './openIdKeys';

/** What the management API is built from; tests hand in their own clock and logger. */
export interface ApiDeps {
  config: Config;
  /** Listing, loading and transfers, with the same rules as the chat. */
  connectors: ConnectorService;
  imports: ImportService;
  /** Read by `GET /audit`; changes are audited by the services. */
  audit: Pick<AuditLog, 'list'>;
  clock: Clock;
  logger: Logger;
  /** Runs the expiry scan on demand (POST /api/v1/scan). */
  scanner?: { scan(): Promise<unknown> };
  /** Reads tenants' OpenID metadata and keys for Entra tokens; node's https client by default. */
  fetchJson?: FetchJson;
}

/** Who the audit log names for every change made through the API. */
export const API_ACTOR: ActorRef = { id: 'api' };
