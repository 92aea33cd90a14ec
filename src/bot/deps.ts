import type { Config } from '../config/config';
import type { Store } from '../connectors/ports';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { SecretBox } from '../secrets/secretBox';
import type { KeyVerifier } from '../verification/keyVerifier';
import type { ConnectorServices } from '../connectors/services';
import type { Messenger } from '../notify/messenger';
import type { GraphGateway } from '../graph/graphGateway';
import type { AdminGroupMembership } from './adminGroup';
import type { Telemetry } from '../telemetry/telemetry';
import type { TeamsUserIds } from './teamsUserIds';

/** What the bot's features are built from (src/compose.ts builds it once). */
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
  adminGroup: AdminGroupMembership;
  /** People's Teams ids (`29:…`), learned from what Teams sent, for cards' `refresh.userIds`. */
  teamsUserIds: TeamsUserIds;
  /** Spans and metrics of turns and card actions. */
  telemetry: Telemetry;
  /** The domain services (connectors, imports, consent), built once by the composition root. */
  services: ConnectorServices;
  /** Every message that is not the reply to the current turn. */
  messenger: Messenger;
}
