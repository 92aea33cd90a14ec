import type { Application, TurnState } from '@microsoft/teams-ai';
import type { CommandRouter } from '../../commandRouter';
import { registerRoleGrantRemoval } from './roleGrantRemoval';
import { registerRolesAssign } from './rolesAssign';
import { registerRolesCheck } from './rolesCheck';
import { registerRolesDecision } from './rolesDecision';
import { registerRolesApprovalView } from './rolesApprovalView';
import { rolesShared, type RolesFeatureDeps } from './rolesShared';
import { registerTargets } from './targetsFeature';

/**
 * `roles [upn] [office365|exchange]` (seed 004's target connection check, updated), assigning
 * the missing roles (by the asker when they may, else approved by a global admin), and
 * `targets`, the defined target connections.
 */
export function registerRoles(
  app: Application<TurnState>,
  router: CommandRouter,
  deps: RolesFeatureDeps,
): void {
  const shared = rolesShared(deps);
  registerRolesCheck(app, router, shared);
  registerRolesAssign(app, shared);
  registerRolesDecision(app, shared);
  registerRolesApprovalView(app, shared);
  registerTargets(app, router, shared);
  registerRoleGrantRemoval(app, shared);
}
