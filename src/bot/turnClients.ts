import {
  JwtTokenValidation,
  type AuthenticateRequestResult,
  type BotFrameworkAuthentication,
  type ClaimsIdentity,
  type ConnectorClient,
  type ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import { BoundedMap } from '../util/boundedMap';

/** Clients kept per kind: one per service URL the channel uses (a few regional ones for Teams). */
export const CLIENTS_REMEMBERED = 32;

function appIdOf(identity: ClaimsIdentity): string {
  return JwtTokenValidation.getAppIdFromClaims(identity.claims) ?? '';
}

/**
 * botbuilder makes a ConnectorClient and a UserTokenClient, each with an HTTP pipeline of its
 * own, for every activity it receives: about a tenth of the CPU of a wizard step. Neither holds
 * anything of the turn (the credentials cache their token, the pipelines are stateless), so
 * incoming turns share one per bot app id, service URL and audience. Reply pacing is installed
 * in a shared pipeline once and books each request by the conversation in its URL
 * (src/notify/connectorPacing.ts). Proactive turns keep a client of their own, since
 * `bookDepartures` rewires its pipeline for one send.
 */
export class TurnClients {
  private readonly connectors = new BoundedMap<string, Promise<ConnectorClient>>(CLIENTS_REMEMBERED);
  private readonly userTokens = new BoundedMap<string, Promise<UserTokenClient>>(CLIENTS_REMEMBERED);

  /** The authentication result of an incoming activity, with a factory that hands out shared clients. */
  shareConnectors(result: AuthenticateRequestResult): AuthenticateRequestResult {
    const factory = result.connectorFactory;
    if (!factory) return result;
    const appId = appIdOf(result.claimsIdentity);
    const shared: ConnectorFactory = {
      create: (serviceUrl: string, audience?: string) =>
        this.reuse(this.connectors, `${appId}\n${audience ?? ''}\n${serviceUrl}`, () =>
          factory.create(serviceUrl, audience),
        ),
    };
    return { ...result, connectorFactory: shared };
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
