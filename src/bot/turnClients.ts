import {
  JwtTokenValidation,
  type AuthenticateRequestResult,
  type BotFrameworkAuthentication,
  type ClaimsIdentity,
  type ConnectorClient,
  type ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import { AsyncLocalStorage } from 'node:async_hooks';
import { BoundedMap } from '../util/boundedMap';

/** Clients kept per kind: one per service URL the channel uses (a few regional ones for Teams). */
export const CLIENTS_REMEMBERED = 32;

/**
 * core-rest-pipeline's form-data policy asks `typeof FormData` of every request's body, and
 * Node's `FormData` global loads Node's whole fetch implementation (undici, about 0.9 MB of live
 * heap kept for the life of the process) the first time it is read. The Bot Connector is only
 * ever sent JSON, so no connector client the bot makes keeps it: neither the shared ones nor
 * those made to create a conversation (nothing else in the bot loads undici: Graph requests go
 * through node:https, src/graph/middleware.ts).
 */
const FORM_DATA_POLICY = 'formDataPolicy';

/** The pipeline inside botbuilder's compat client (over core-client), which keeps it private. */
interface WithPipeline {
  client?: { pipeline?: { removePolicy(options: { name: string }): unknown } };
}

function withoutFormData(client: ConnectorClient): ConnectorClient {
  (client as unknown as WithPipeline).client?.pipeline?.removePolicy({ name: FORM_DATA_POLICY });
  return client;
}

/** A client from `factory`, without the form-data policy. */
function jsonOnlyClient(
  factory: ConnectorFactory,
  serviceUrl: string,
  audience?: string,
): Promise<ConnectorClient> {
  return factory.create(serviceUrl, audience).then(withoutFormData);
}

function appIdOf(identity: ClaimsIdentity): string {
  return JwtTokenValidation.getAppIdFromClaims(identity.claims) ?? '';
}

/**
 * botbuilder makes a ConnectorClient and a UserTokenClient, each with an HTTP pipeline of its
 * own, for every activity it receives: about a tenth of the CPU of a wizard step. Neither holds
 * anything of the turn (the credentials cache their token, the pipelines are stateless), so
 * incoming turns share one per bot app id, service URL and audience. Reply pacing is installed
 * in a shared pipeline once and books each request by the conversation in its URL
 * (src/notify/connectorPacing.ts). Proactive turns share them too: a proactive send finds its
 * departure hook by async context (`withDepartures`), not in a pipeline rewired for it.
 */
export class TurnClients {
  private readonly connectors = new BoundedMap<string, Promise<ConnectorClient>>(CLIENTS_REMEMBERED);
  private readonly userTokens = new BoundedMap<string, Promise<UserTokenClient>>(CLIENTS_REMEMBERED);

  /** The authentication result of an incoming activity, with a factory that hands out shared clients. */
  shareConnectors(result: AuthenticateRequestResult): AuthenticateRequestResult {
    const factory = result.connectorFactory;
    if (!factory) return result;
    return { ...result, connectorFactory: this.shared(appIdOf(result.claimsIdentity), factory) };
  }

  private shared(appId: string, factory: ConnectorFactory): ConnectorFactory {
    return {
      create: (serviceUrl: string, audience?: string) =>
        this.reuse(this.connectors, `${appId}\n${audience ?? ''}\n${serviceUrl}`, () =>
          jsonOnlyClient(factory, serviceUrl, audience),
        ),
    };
  }

  /** Marks the connector factories made while a proactive turn starts. */
  private readonly proactive = new AsyncLocalStorage<true>();

  /**
   * Makes the connector factories `auth` creates for proactive turns (see {@link proactively})
   * hand out shared clients; other callers (creating a conversation) keep a client of their own,
   * without the form-data policy too.
   */
  shareProactiveConnectors(auth: BotFrameworkAuthentication): void {
    const create = auth.createConnectorFactory.bind(auth);
    auth.createConnectorFactory = (identity: ClaimsIdentity) => {
      const factory = create(identity);
      if (this.proactive.getStore()) return this.shared(appIdOf(identity), factory);
      return {
        create: (serviceUrl: string, audience?: string) => jsonOnlyClient(factory, serviceUrl, audience),
      };
    };
  }

  /** Runs the start of a proactive turn, whose connector factory then hands out shared clients. */
  proactively<T>(start: () => T): T {
    return this.proactive.run(true, start);
  }

  /** Makes `auth` hand out one user-token client per bot app id (its other settings are fixed). */
  shareUserTokenClients(auth: BotFrameworkAuthentication): void {
    const create = auth.createUserTokenClient.bind(auth);
    auth.createUserTokenClient = (identity: ClaimsIdentity) =>
      this.reuse(this.userTokens, appIdOf(identity), () => create(identity));
  }

  private reuse<T>(cache: BoundedMap<string, Promise<T>>, key: string, create: () => Promise<T>): Promise<T> {
    const kept = cache.get(key);
    if (kept) return kept;
    const made = create();
    cache.set(key, made);
    // A client that could not be made (its credentials) is not kept: the next turn tries again.
    made.catch(() => {
      if (cache.has(key) && cache.get(key) === made) cache.delete(key);
    });
    return made;
  }
}
