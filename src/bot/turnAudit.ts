import type { TurnContext } from 'botbuilder';
import type { BotDeps } from './deps';
import { actorOf, tenantIdOf } from './turnInfo';

/** Appends an audit event of this turn: its tenant, and the person acting as the actor. */
export function auditTurn(
  deps: Pick<BotDeps, 'store' | 'clock'>,
  context: TurnContext,
  action: string,
  detail: Record<string, unknown>,
): Promise<void> {
  const actor = actorOf(context);
  return deps.store.audit.append({
    tenantId: tenantIdOf(context),
    at: deps.clock.now().toISOString(),
    actor: actor.id,
    actorName: actor.name,
    action,
    detail,
  });
}
