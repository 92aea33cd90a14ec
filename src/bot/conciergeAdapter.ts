import { TeamsAdapter } from '@microsoft/teams-ai';
import { StatusCodes, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult } from 'botframework-connector';

/** Errors of the JWT library that mean "this token is not valid", not "the bot failed". */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * TeamsAdapter that answers every invalid token with 401. CloudAdapter only maps its own
 * AuthenticationError to 401 and lets the JWT library's errors (bad signature, wrong algorithm,
 * not yet valid) through as 500, which would tell a caller the token was almost right.
 */
export class ConciergeAdapter extends TeamsAdapter {
  protected override async processActivity(
    authHeaderOrResult: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    if (typeof authHeaderOrResult !== 'string')
      return super.processActivity(authHeaderOrResult, activity, logic);
    let result: AuthenticateRequestResult;
    try {
      result = await this.botFrameworkAuthentication.authenticateRequest(activity, authHeaderOrResult);
    } catch (err) {
      if (err instanceof Error && TOKEN_ERRORS.has(err.name)) {
        throw new AuthenticationError(`Unauthorized: ${err.message}`, StatusCodes.UNAUTHORIZED);
      }
      throw err;
    }
    return super.processActivity(result, activity, logic);
  }
}
