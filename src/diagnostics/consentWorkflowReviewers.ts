import { isGraphError } from '../graph/errors';
import type { GraphGateway } from '../graph/graphGateway';
import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';

/** One reviewer of Entra's admin consent workflow, as the policy names it. */
export interface WorkflowReviewer {
  kind: 'user' | 'group' | 'role' | 'other';
  /** The object or role id from the query ('' for an unrecognised query). */
  id: string;
  /** The display name Graph gave, when it could be looked up. */
  name?: string;
}

/**
 * Built-in roles Entra's admin consent settings typically name (template ids, the same in every
 * tenant): named without a Graph call. Others are looked up.
 */
const ROLE_NAMES: Record<string, string> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'Cloud Application Administrator',
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'Application Administrator',
};

/** Role definitions looked up one by one at most; a policy naming more shows the rest by id. */
const MAX_ROLE_LOOKUPS = 5;

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const USER = new RegExp(`^/users/(${GUID})$`, 'i');
const GROUP = new RegExp(`^/groups/(${GUID})/(transitiveMembers|members)$`, 'i');
const ROLE = new RegExp(
  `^/roleManagement/directory/roleAssignments\\?\\$filter=roleDefinitionId\\s+eq\\s+'(${GUID})'$`,
  'i',
);

/**
 * A reviewer from an accessReviewReviewerScope query: `/users/{id}`,
 * `/groups/{id}/transitiveMembers`, or
 * `/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '{id}'`, with or without
 * a leading API version (the Entra admin center writes `/beta/…` and `/v1.0/…`).
 */
export function parseReviewerQuery(query: string): WorkflowReviewer {
  let path = query.trim();
  try {
    path = decodeURIComponent(path);
  } catch {
    // Leave a query that is not percent-encoded as it is.
  }
  path = path.replace(/^https:\/\/[^/]+/i, '').replace(/^\/(v1\.0|beta)(?=\/)/i, '');
  const user = USER.exec(path);
  if (user) return { kind: 'user', id: user[1].toLowerCase() };
  const group = GROUP.exec(path);
  if (group) return { kind: 'group', id: group[1].toLowerCase() };
  const role = ROLE.exec(path);
  if (role) return { kind: 'role', id: role[1].toLowerCase() };
  return { kind: 'other', id: '' };
}

/** "Adele Admin", "members of the group Helpdesk", "everyone with the role Global Administrator". */
export function reviewerText(reviewer: WorkflowReviewer): string {
  switch (reviewer.kind) {
    case 'user':
      return reviewer.name ?? `the user ${reviewer.id}`;
    case 'group':
      return `members of the group ${reviewer.name ?? reviewer.id}`;
    case 'role':
      return `everyone with the role ${reviewer.name ?? reviewer.id}`;
    default:
      return 'a reviewer the bot cannot read (not a user, group or role query)';
  }
}

function whyUnnamed(err: unknown, permission: string): string {
  if (isGraphError(err, 'GRAPH_FORBIDDEN')) {
    return `Some reviewers are shown by id: looking up their names needs the application permission ${permission}.`;
  }
  return `Some reviewers are shown by id: ${isGraphError(err) ? err.message : 'their names could not be looked up.'}`;
}

/**
 * The policy's reviewers with names: users and groups in one `POST /directoryObjects/getByIds`,
 * roles from the table above or `GET /roleManagement/directory/roleDefinitions/{id}`. A lookup
 * Graph refuses leaves those reviewers by id, and `note` says why. Never throws.
 */
export async function describeReviewers(
  graph: GraphGateway,
  tenantId: string,
  queries: readonly string[],
): Promise<{ reviewers: WorkflowReviewer[]; note: string }> {
  const reviewers = queries.map(parseReviewerQuery);
  const notes = new Set<string>();

  const objectIds = [...new Set(reviewers.filter((r) => r.kind !== 'role' && r.id).map((r) => r.id))];
  const names = new Map<string, string>();
  if (objectIds.length > 0) {
    try {
      const found = await graph.post<{ value?: Array<{ id?: string; displayName?: string | null }> }>(
        tenantId,
        '/directoryObjects/getByIds',
        { ids: objectIds, types: ['user', 'group'] },
        { permission: GRAPH_PERMISSIONS.directoryRead },
      );
      for (const o of found?.value ?? []) {
        if (o?.id && typeof o.displayName === 'string' && o.displayName !== '') {
          names.set(o.id.toLowerCase(), o.displayName);
        }
      }
    } catch (err) {
      notes.add(whyUnnamed(err, GRAPH_PERMISSIONS.directoryRead));
    }
  }

  const unknownRoles = [
    ...new Set(reviewers.filter((r) => r.kind === 'role' && !ROLE_NAMES[r.id]).map((r) => r.id)),
  ].slice(0, MAX_ROLE_LOOKUPS);
  await Promise.all(
    unknownRoles.map(async (id) => {
      try {
        const role = await graph.get<{ displayName?: string | null }>(
          tenantId,
          `/roleManagement/directory/roleDefinitions/${encodeURIComponent(id)}?$select=id,displayName`,
          { permission: GRAPH_PERMISSIONS.roleManagementRead },
        );
        if (typeof role?.displayName === 'string' && role.displayName !== '') names.set(id, role.displayName);
      } catch (err) {
        notes.add(whyUnnamed(err, GRAPH_PERMISSIONS.roleManagementRead));
      }
    }),
  );

  const named = reviewers.map((r) => {
    const name = r.kind === 'role' ? (ROLE_NAMES[r.id] ?? names.get(r.id)) : names.get(r.id);
    return name ? { ...r, name } : r;
  });
  return { reviewers: named, note: [...notes].join(' ') };
}
