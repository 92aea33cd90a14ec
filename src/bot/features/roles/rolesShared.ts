import type { Attachment, TurnContext } from 'botbuilder';
import { renderCard } from '../../../cards/render';
import {
  messageCardData,
  messageCard,
  type BoxStyle,
  type MessageCardData,
} from '../../../cards/messageCard';
import { isMicrosoftCloud, type MicrosoftCloud } from '../../../connectors/clouds';
import type { ConsentHandoverPort } from '../../../dialogs/flows/consentPort';
import { RoleDirectory } from '../../../directoryRoles/directory';
import {
  assignerRole,
  DEFAULT_TARGET_KIND,
  isTargetKind,
  type DirectoryRole,
  type TargetKind,
} from '../../../directoryRoles/requirements';
import type { BotDeps } from '../../deps';
import { RoleGrantLog } from './roleGrants';
import { actorOf, tenantIdOf } from '../../turnInfo';

/** Card verbs of the roles check, role assignment and approval, and the target connections card. */
export const ROLES_VERBS = {
  check: 'rolesCheck',
  assignOpen: 'rolesAssignOpen',
  assign: 'rolesAssign',
  assignCancel: 'rolesAssignCancel',
  approve: 'rolesApprove',
  decline: 'rolesDecline',
  reverify: 'targetReverify',
  remove: 'targetRemove',
  removeGrants: 'targetRolesRemove',
} as const;

export interface RolesFeatureDeps extends Pick<
  BotDeps,
  'config' | 'store' | 'logger' | 'clock' | 'graph' | 'messenger' | 'teamsUserIds'
> {
  /** The tenant's Global Administrators, as the consent hand-over lists them. */
  globalAdmins: Pick<ConsentHandoverPort, 'listGlobalAdmins'>;
}

/** What the roles and targets modules share: the deps, the role directory and turn helpers. */
export interface RolesShared extends RolesFeatureDeps {
  directory: RoleDirectory;
  /** The roles the bot assigned, per admin account. */
  grants: RoleGrantLog;
  /** The bot's Microsoft cloud (global when CLOUD names another). */
  cloud: MicrosoftCloud;
  /** Why roles cannot be checked, when Graph is not configured. */
  notConfigured(): string | undefined;
  message(title: string, text: string, style?: BoxStyle, extra?: Partial<MessageCardData>): Attachment;
  /** The asker's assigning role (Global or Privileged Role Administrator), from their direct assignments. */
  askerAssigner(context: TurnContext): Promise<DirectoryRole | undefined>;
}

/** A trimmed string from card data, at most `max` characters; anything else is empty. */
export const str = (value: unknown, max = 254): string =>
  typeof value === 'string' ? value.trim().slice(0, max) : '';

/** The target kind the card chose, or the default. */
export const kindOf = (data: Record<string, unknown>): TargetKind =>
  isTargetKind(data.kind) ? data.kind : DEFAULT_TARGET_KIND;

/** Builds what the roles modules share, once per bot. */
export function rolesShared(deps: RolesFeatureDeps): RolesShared {
  const { config } = deps;
  const directory = new RoleDirectory(deps.graph, deps.logger);
  const cloud = isMicrosoftCloud(config.cloud) ? config.cloud : 'global';

  const notConfigured = (): string | undefined =>
    deps.graph.configured
      ? undefined
      : `I cannot check roles with Microsoft Graph: set ${deps.graph.missingSettings().join(' and ')}.`;

  const message = (
    title: string,
    text: string,
    style: BoxStyle = 'default',
    extra: Partial<MessageCardData> = {},
  ) => renderCard(messageCard, messageCardData({ title, text, style, ...extra }));

  const askerAssigner = async (context: TurnContext): Promise<DirectoryRole | undefined> => {
    const id = actorOf(context).aadObjectId;
    if (!id) return undefined;
    return assignerRole((await directory.heldRoles(tenantIdOf(context), id)).tenantWide);
  };

  return {
    ...deps,
    directory,
    grants: new RoleGrantLog(deps.store.state),
    cloud,
    notConfigured,
    message,
    askerAssigner,
  };
}
