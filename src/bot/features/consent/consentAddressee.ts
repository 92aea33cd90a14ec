import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { Connector } from '../../../connectors/connector';
import type { GraphGateway } from '../../../graph/graphGateway';
import { GRAPH_PERMISSIONS } from '../../../graph/graphPermissions';
import type { Logger } from '../../../util/logger';
import { actorOf, tenantIdOf } from '../../turnInfo';

/**
 * The clicker's UPN as Teams or Entra knows it: the conversation roster first (Teams vouches for
 * the member), else Graph by their Entra object id. Never from the activity or card data, which
 * a client writes.
 */
export async function clickerUpn(
  context: TurnContext,
  graph: GraphGateway,
  logger: Logger,
): Promise<string | undefined> {
  try {
    const member = await TeamsInfo.getMember(context, context.activity.from.id);
    if (member.userPrincipalName) return member.userPrincipalName;
  } catch (err) {
    logger.info('roster lookup of the clicker failed', { error: err });
  }
  const objectId = actorOf(context).aadObjectId;
  if (!objectId || !graph.configured) return undefined;
  try {
    const user = await graph.get<{ userPrincipalName?: string }>(
      tenantIdOf(context),
      `/users/${encodeURIComponent(objectId)}?$select=userPrincipalName`,
      { permission: GRAPH_PERMISSIONS.userRead },
    );
    return user.userPrincipalName;
  } catch (err) {
    logger.info('directory lookup of the clicker failed', { error: err });
    return undefined;
  }
}

/**
 * Whether the clicker is the global admin a consent request was addressed to: the same Entra
 * object id, or, when only a UPN was known, the same UPN as Teams or Entra reports for them.
 * A request addressed to nobody in particular (older records) stays open to the tenant.
 */
export async function isConsentAddressee(
  context: TurnContext,
  connector: Connector,
  deps: { graph: GraphGateway; logger: Logger },
): Promise<boolean> {
  const consent = connector.consent;
  const actor = actorOf(context);
  if (consent?.requestedFromId) {
    return consent.requestedFromId === actor.id;
  }
  if (!consent?.requestedFromUpn) return true;
  const upn = await clickerUpn(context, deps.graph, deps.logger);
  return !!upn && upn.toLowerCase() === consent.requestedFromUpn.toLowerCase();
}
