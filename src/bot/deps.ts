import type { Config } from '../config/config';
import type { Store } from '../connectors/ports';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { SecretBox } from '../secrets/secretBox';
import type { KeyVerifier } from '../verification/keyVerifier';
import type { Timing } from '../notify/rateLimiter';
import type { GraphGateway } from '../graph/graphGateway';
import type { AdminGroupMembership } from './adminGroup';
import type { Telemetry } from '../telemetry/telemetry';

/** What every feature of the bot is built from; tests hand in their own. */
export interface BotDeps {
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  /** Seals connector keys (AES-256-GCM, key from SECRETS_KEY or the key file). */
  secretBox: SecretBox;
  /** Checks typed keys against the service. */
  keyVerifier: KeyVerifier;
  /** App-only Microsoft Graph for the conversation's tenant (may be unconfigured). */
  graph: GraphGateway;
  /** Members of ADMIN_GROUP_ID, who may manage any connector of their tenant. */
  adminGroup?: AdminGroupMembership;
  /** Waiting and monotonic time for proactive sends; tests pass a fast one. */
  timing?: Timing;
  /** Spans and metrics; built over the registered (by default no-op) providers when not given. */
  telemetry?: Telemetry;
}
