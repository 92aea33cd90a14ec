import type { Config } from '../config/config';
import type { ActorRef, ConnectorLifecycle } from '../connectors/lifecycle';
import type { Store } from '../connectors/ports';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { FetchJson } from './openIdKeys';

/** What the management API is built from; tests hand in their own clock and logger. */
export interface ApiDeps {
  config: Config;
  store: Store;
  lifecycle: ConnectorLifecycle;
  clock: Clock;
  logger: Logger;
  /** Runs the expiry scan on demand (POST /api/v1/scan). */
  scanner?: { scan(): Promise<unknown> };
  /** Reads tenants' OpenID metadata and keys for Entra tokens; node's https client by default. */
  fetchJson?: FetchJson;
}

/** Who the audit log names for every change made through the API. */
export const API_ACTOR: ActorRef = { id: 'api' };
