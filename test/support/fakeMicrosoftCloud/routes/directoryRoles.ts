/** Fixture routes: directory role assignments (read, assign, remove; PIM schedule requests) and role definitions. */
import { randomUUID } from 'node:crypto';
import type { FakeGraph } from '../graph';
import { collection, graphError, reply } from '../odata';
import { type FakeRoleAssignment, type FakeRoleAssignmentScheduleRequest } from '../tenant';
import { P, notFound } from './permissions';
import { ROLE_NAMES } from '../ids';

/** Registers this area's fixture routes. */
export function directoryRoleRoutes(graph: FakeGraph): void {
  graph.fixture('GET', '/roleManagement/directory/roleAssignments', P.roles, (req) => {
    const expand = req.query.get('$expand') ?? '';
    const items = req.tenant.roleAssignments.map(({ endDateTime: _end, ...a }) => {
      const out: Record<string, unknown> = { ...a };
      if (/\bprincipal\b/.test(expand)) out.principal = req.tenant.directoryObject(a.principalId) ?? null;
      if (/\broleDefinition\b/.test(expand)) out.roleDefinition = roleDefinition(a.roleDefinitionId);
      return out;
    });
    return collection(req, items);
  });

  graph.fixture('POST', '/roleManagement/directory/roleAssignments', P.rolesWrite, (req) => {
    const body = (req.body ?? {}) as Partial<FakeRoleAssignment>;
    if (!body.principalId || !body.roleDefinitionId) {
      return graphError(400, 'Request_BadRequest', 'principalId and roleDefinitionId are required.');
    }
    if (!req.tenant.directoryObject(body.principalId)) return notFound(body.principalId);
    const assignment = req.tenant.assignRole(body.principalId, body.roleDefinitionId);
    assignment.directoryScopeId = body.directoryScopeId ?? '/';
    return reply(201, assignment);
  });

  graph.fixture('DELETE', '/roleManagement/directory/roleAssignments/{id}', P.rolesWrite, (req) => {
    const i = req.tenant.roleAssignments.findIndex((a) => a.id === req.params.id);
    if (i === -1) return notFound(req.params.id);
    req.tenant.roleAssignments.splice(i, 1);
    return reply(204);
  });

  graph.fixture('POST', '/roleManagement/directory/roleAssignmentScheduleRequests', P.rolesWrite, (req) => {
    if (!req.tenant.entraIdP2) {
      return graphError(400, 'AadPremiumLicenseRequired', 'The tenant needs an AAD Premium 2 license.');
    }
    const body = (req.body ?? {}) as Partial<FakeRoleAssignmentScheduleRequest>;
    const { action, principalId, roleDefinitionId } = body;
    const directoryScopeId = body.directoryScopeId ?? '';
    if (!principalId || !roleDefinitionId || !directoryScopeId || !action) {
      return graphError(
        400,
        'Request_BadRequest',
        'action, principalId, roleDefinitionId and directoryScopeId are required.',
      );
    }
    if (!req.tenant.directoryObject(principalId)) return notFound(principalId);
    const matching = (a: FakeRoleAssignment) =>
      a.principalId === principalId &&
      a.roleDefinitionId === roleDefinitionId &&
      a.directoryScopeId === directoryScopeId;
    if (action === 'adminAssign') {
      const end = body.scheduleInfo?.expiration?.endDateTime;
      if (body.scheduleInfo?.expiration?.type !== 'afterDateTime' || !end || Number.isNaN(Date.parse(end))) {
        // The default role setting: active assignments must expire.
        return graphError(
          400,
          'RoleAssignmentRequestPolicyValidationFailed',
          'The following policy rules failed: ["ExpirationRule"]',
        );
      }
      if (req.tenant.roleAssignments.some(matching)) {
        return graphError(400, 'RoleAssignmentExists', 'The Role assignment already exists.');
      }
      const assignment = req.tenant.assignRole(principalId, roleDefinitionId);
      assignment.directoryScopeId = directoryScopeId;
      assignment.endDateTime = end;
    } else if (action === 'adminRemove') {
      const i = req.tenant.roleAssignments.findIndex(matching);
      if (i === -1)
        return graphError(400, 'RoleAssignmentDoesNotExist', 'The Role assignment does not exist.');
      req.tenant.roleAssignments.splice(i, 1);
    } else {
      return graphError(400, 'Request_BadRequest', `The fake does not support action '${action}'.`);
    }
    const request: FakeRoleAssignmentScheduleRequest = {
      id: randomUUID(),
      action,
      principalId,
      roleDefinitionId,
      directoryScopeId,
      justification: body.justification,
      scheduleInfo: body.scheduleInfo,
      status: action === 'adminRemove' ? 'Revoked' : 'Provisioned',
      createdDateTime: new Date().toISOString(),
    };
    req.tenant.roleAssignmentScheduleRequests.push(request);
    return reply(201, request);
  });

  graph.fixture('GET', '/roleManagement/directory/roleDefinitions/{id}', P.roles, (req) => {
    const definition = roleDefinition(req.params.id);
    return definition ? reply(200, definition) : notFound(req.params.id);
  });
}

function roleDefinition(id: string): Record<string, unknown> | undefined {
  const name = ROLE_NAMES[id.toLowerCase()];
  return name ? { id, templateId: id, displayName: name, isBuiltIn: true, isEnabled: true } : undefined;
}
