import type { FeatureTables } from '../../chatCommands';
import { roleGrantRemovalVerbs } from './roleGrantRemoval';
import { rolesAssignVerbs } from './rolesAssign';
import { rolesCheckTables } from './rolesCheck';
import { rolesDecisionVerbs } from './rolesDecision';
import { rolesApprovalViewVerbs } from './rolesApprovalView';
import { rolesShared, type RolesFeatureDeps } from './rolesShared';
import { targetsTables } from './targetsFeature';

/**
 * `roles [upn] [office365|exchange]` (seed 004's target connection check, updated), assigning
 * the missing roles (by the asker when they may, else approved by a global admin), and
 * `targets`, the defined target connections.
 */
export function rolesFeature(deps: RolesFeatureDeps): FeatureTables {
  const shared = rolesShared(deps);
  const check = rolesCheckTables(shared);
  const targets = targetsTables(shared);
  return {
    commands: [...check.commands, ...targets.commands],
    verbs: [
      ...check.verbs,
      ...rolesAssignVerbs(shared),
      ...rolesDecisionVerbs(shared),
      ...rolesApprovalViewVerbs(shared),
      ...targets.verbs,
      ...roleGrantRemovalVerbs(shared),
    ],
  };
}
