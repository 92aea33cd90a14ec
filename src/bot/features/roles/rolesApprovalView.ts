import type { Attachment, TurnContext } from 'botbuilder';
import { readerDates } from '../../../util/readerDates';
import { tenantIdOf } from '../../turnInfo';
import { CardActionError, dataProblem } from '../../universalActions';
import { recordVerb, type CardVerbs } from '../../cardVerbs';
import { resultsCard } from './roleAssignment';
import {
  approvalCard,
  approvalKey,
  ROLES_APPROVAL_REFRESH_VERB,
  type ApprovalRequest,
} from './rolesApproval';
import type { RolesShared } from './rolesShared';

/**
 * The roles approval card as it stands now, from one read of the request: still open (the card
 * with its choices), or handled ("Handled by … on …", with what came of each role). Writes nothing.
 */
async function approvalNow(
  shared: RolesShared,
  context: TurnContext,
  data: Record<string, unknown>,
): Promise<Attachment> {
  const tenantId = tenantIdOf(context);
  const key = approvalKey(tenantId, String(data.requestId));
  const request = (await shared.store.state.read([key]))[key] as ApprovalRequest | undefined;
  if (!request) {
    throw new CardActionError(
      404,
      'This roles request is not one of your tenant’s, so there is nothing to show.',
    );
  }
  if (request.status !== 'decided') return approvalCard(shared, request);
  const dates = readerDates(context, shared.logger);
  return resultsCard(
    shared,
    `Roles for ${request.account.name}: handled`,
    `Handled by ${request.approver.name} on ${dates.dateTime(request.decidedAt)}.`,
    request.outcomes ?? [],
    request.account,
    request.kind,
  );
}

/** The roles approval card's refresh verb (the approver's client runs it when the card is shown). */
export function rolesApprovalViewVerbs(shared: RolesShared): CardVerbs {
  return [
    recordVerb(ROLES_APPROVAL_REFRESH_VERB, async (context, _state, data) => {
      const problem = dataProblem(data, ['requestId']);
      if (problem) throw new CardActionError(400, problem);
      return approvalNow(shared, context, data);
    }),
  ];
}
