import type { Config } from '../config/config';
import type { Logger } from '../util/logger';
import { MsGraphGateway } from './graphGateway';

/**
 * The production gateway: app registration from GRAPH_CLIENT_ID / GRAPH_CLIENT_SECRET (falling
 * back to MicrosoftAppId / MicrosoftAppPassword), hosts from CLOUD or AZURE_AUTHORITY_HOST and
 * GRAPH_ENDPOINT. Trusts only the system's CAs. When the credentials are missing it still
 * returns a gateway, with `configured` false, so that features can say what to set. Typed as the
 * class (a GraphGateway) so that shutdown can `close()` it.
 */
export function createGraphGateway(config: Config, logger: Logger): MsGraphGateway {
  return new MsGraphGateway({
    clientId: config.graph.clientId,
    clientSecret: config.graph.clientSecret,
    authorityHost: config.authorityHost,
    graphEndpoint: config.graphEndpoint,
    logger: logger.child({ component: 'graph' }),
  });
}
