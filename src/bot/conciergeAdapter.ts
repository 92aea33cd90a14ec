// Not the package index, which loads teams-ai's AI half too (see createBot.ts).
import { TeamsAdapter } from '@microsoft/teams-ai/lib/TeamsAdapter';
import {
  StatusCodes,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type InvokeResponse,
  type Request,
  type ResourceResponse,
  type Response,
  type TurnContext,
} from 'botbuilder';
import { validateAndFixActivity } from 'botbuilder/lib/activityValidator';
import {
  AuthenticationError,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorClient,
} from 'botframework-connector';
import { carriesKeptCard, sendKeptCard } from './keptCardSends';
import { TurnClients } from './turnClients';

/** Errors of the JWT library that mean "this token is not valid", not "the bot failed". */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/** Why a token was refused: one line, safe to log (no token, no key material). */
export class TokenRefusedError extends Error {
  constructor(reason: string) {
    super(reason.split(/\r?\n/)[0].slice(0, 300));
    this.name = 'TokenRefusedError';
  }
}

/**
 * TeamsAdapter that answers every invalid token with 401. CloudAdapter only maps its own
 * AuthenticationError to 401 and lets the JWT library's errors (bad signature, wrong algorithm,
 * not yet valid) through as 500, which would tell a caller the token was almost right.
 */
export class ConciergeAdapter extends TeamsAdapter {
  /** Connector and user-token clients shared by incoming turns instead of made for each. */
  private readonly clients = new TurnClients();

  constructor(settings?: ConfigurationBotFrameworkAuthenticationOptions) {
    super(settings);
    this.clients.shareUserTokenClients(this.botFrameworkAuthentication);
    this.clients.shareProactiveConnectors(this.botFrameworkAuthentication);
  }

  /** A proactive turn (a notice, a card update) on a shared connector client. */
  protected override processProactive(
    claimsIdentity: ClaimsIdentity,
    continuationActivity: Partial<Activity>,
    audience: string | undefined,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    return this.clients.proactively(() =>
      super.processProactive(claimsIdentity, continuationActivity, audience, logic),
    );
  }

  /**
   * Sends as CloudAdapter does, except that a message carrying a kept card (the connector list,
   * the help card) goes out with that card's JSON as made once rather than serialized again by
   * the connector client (src/bot/keptCardSends.ts), through the same client and pipeline.
   */
  override async sendActivities(
    context: TurnContext,
    activities: Partial<Activity>[],
  ): Promise<ResourceResponse[]> {
    if (!Array.isArray(activities) || !activities.some(carriesKeptCard))
      return super.sendActivities(context, activities);
    const client = context.turnState.get<ConnectorClient | undefined>(this.ConnectorClientKey);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      const sent = await sendKeptCard(client, activity);
      responses.push(...(sent ? [sent] : await super.sendActivities(context, [activity])));
    }
    return responses;
  }

  /**
   * Checks an Authorization header before the request body is read: the signature, issuer,
   * audience (this bot's app id) and lifetime of a Bot Framework or Emulator token. The claims
   * that depend on the activity (serviceurl, channel endorsement) are checked again with the
   * activity by processActivity. Rejects with TokenRefusedError for any invalid token.
   */
  async authenticateHeader(authHeader: string): Promise<void> {
    if (!/^Bearer \S+$/.test(authHeader.trim())) throw new TokenRefusedError('no Bearer token');
    try {
      // An empty channelId and serviceUrl make botbuilder skip exactly those two checks.
      await this.botFrameworkAuthentication.authenticateRequest(
        { channelId: '', serviceUrl: '' } as Activity,
        authHeader.trim(),
      );
    } catch (err) {
      if (err instanceof AuthenticationError || (err instanceof Error && TOKEN_ERRORS.has(err.name))) {
        throw new TokenRefusedError(err.message);
      }
      throw err;
    }
  }

  /**
   * What `process` does for an HTTP request (TeamsAdapter's User-Agent header, POST only, an
   * object body, an activity with a type, the Authorization header, then the invoke response or
   * 401/500), with plain tests where botbuilder's CloudAdapter checks the response object, the
   * logic, the body and the header with zod schemas, three of them built anew for each request:
   * about 4% of a wizard step's CPU in a profile of 1,500 steps at 50 conversations, on every
   * turn. A WebSocket upgrade (streaming) still goes through `process`.
   */
  async processHttp(
    req: Request,
    res: Response,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    res.header('User-Agent', this.userAgent);
    const end = (status: number, body?: unknown) => {
      res.status(status);
      if (body) res.send(body);
      res.end();
    };
    if (req.method !== 'POST') return end(StatusCodes.METHOD_NOT_ALLOWED);
    if (!isRecordBody(req.body)) {
      return end(
        StatusCodes.BAD_REQUEST,
        '`req.body` not an object, make sure you are using middleware to parse incoming requests.',
      );
    }
    const activity = validateAndFixActivity(req.body as Partial<Activity> as Activity);
    if (!activity.type) {
      console.warn('BadRequest: Missing activity or activity type.');
      return end(StatusCodes.BAD_REQUEST);
    }
    const authHeader = req.headers.Authorization ?? req.headers.authorization ?? '';
    if (typeof authHeader !== 'string') throw new TypeError('the Authorization header is not one string');
    try {
      const invokeResponse = await this.processActivity(authHeader, activity, logic);
      return end(invokeResponse?.status ?? StatusCodes.OK, invokeResponse?.body);
    } catch (err) {
      // The adapter's own 401 is answered as CloudAdapter answers it (botbuilder's console line
      // goes to the logger as a warning). Anything else is the bot failing: the caller that
      // throws it (src/http/server.ts) logs it as an error and answers a 500 that does not echo
      // the error's text, which CloudAdapter would send back to whoever posted the activity.
      if (!(err instanceof AuthenticationError)) throw err;
      console.error(err);
      return end(StatusCodes.UNAUTHORIZED, err.message);
    }
  }

  protected override async processActivity(
    authHeaderOrResult: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    const result =
      typeof authHeaderOrResult === 'string'
        ? await this.authenticateActivity(authHeaderOrResult, activity)
        : authHeaderOrResult;
    return super.processActivity(this.clients.shareConnectors(result), activity, logic);
  }

  private async authenticateActivity(
    authHeader: string,
    activity: Activity,
  ): Promise<AuthenticateRequestResult> {
    try {
      return await this.botFrameworkAuthentication.authenticateRequest(activity, authHeader);
    } catch (err) {
      if (err instanceof Error && TOKEN_ERRORS.has(err.name)) {
        throw new AuthenticationError(`Unauthorized: ${err.message}`, StatusCodes.UNAUTHORIZED);
      }
      throw err;
    }
  }
}

/**
 * An object, as zod's `z.record(z.unknown())` accepts one: the body parser gives an object, an
 * array, a string or nothing (the built-ins zod also refuses, such as Date and Map, JSON cannot make).
 */
function isRecordBody(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
