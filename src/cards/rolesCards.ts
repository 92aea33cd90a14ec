import rolesApprovalJson from './templates/rolesApproval.json';
import rolesAssignJson from './templates/rolesAssign.json';
import rolesCheckJson from './templates/rolesCheck.json';
import targetsListJson from './templates/targetsList.json';
import type { TextColor } from './connectorsCards';
import type { CardText } from './markdown';
import { defineTemplate } from './render';
import type { BoxStyle } from './messageCard';

/** One role on the roles card: what it is, where it stands, why it is needed. */
export interface RoleRow {
  name: string;
  /** "held as SharePoint Administrator", "not assigned", ... */
  status: string;
  why: string;
}

/** The result of `roles [upn] [office365|exchange]`: cloud, licence and roles of an admin account. */
export interface RolesCheckCardData {
  title: string;
  subtitle: string;
  verdict: string;
  verdictStyle: BoxStyle;
  /** What fails the check, one line each. */
  problems: { text: string }[];
  facts: { title: string; value: string }[];
  present: RoleRow[];
  missing: RoleRow[];
  optional: RoleRow[];
  /** Needed, but not something Microsoft Graph can read (Exchange Online roles): checked elsewhere. */
  unchecked: RoleRow[];
  /** The direct-assignment caveat, scoped roles, the MFA note. */
  notes: { text: string }[];
  /** The account the buttons act on (Entra object id or UPN); looked up again on every click. */
  subject: string;
  /** The selected target kind, and the choices of the kind picker. */
  kind: string;
  kindChoices: { title: string; value: string }[];
  /** Shows "Assign missing roles". */
  canAssign: boolean;
  /** Shows "Show target connections" (the check passed and the target was saved). */
  defined: boolean;
}

/** "Assign missing roles": a toggle per role the bot can assign, and who assigns them. */
export interface RolesAssignCardData {
  title: string;
  subtitle: string;
  /** Who assigns: the asker (a Global or Privileged Role Administrator), or a global admin approves. */
  modeText: string;
  modeStyle: BoxStyle;
  subject: string;
  kind: string;
  roles: { inputId: string; label: string; title: string; value: 'true' | 'false'; why: string }[];
  /** Roles Graph cannot assign (Exchange role groups), with how to assign them by hand. */
  manual: { name: string; how: string }[];
  /** The global admins who can approve; empty when the asker assigns. */
  approvers: { title: string; value: string }[];
  approver: string;
  /** No global admin could be listed: ask for one by UPN. */
  askApproverUpn: boolean;
  submitTitle: string;
  /** How long an assigned role lasts (time-bound), and who may accept a permanent one instead. */
  durationText: string;
  /** The asker assigns: show the toggle confirming a permanent assignment where PIM is unavailable. */
  offerPermanent: boolean;
}

/** The card a global admin gets to approve or decline each requested role. */
export interface RolesApprovalCardData {
  requestId: string;
  title: string;
  text: CardText;
  facts: { title: string; value: string }[];
  roles: { inputId: string; label: string; why: string }[];
  note: string;
  /**
   * The approver's client refreshes the card when it is shown: a decided request says so.
   * `userIds` is the approver's Teams user id (`29:…`), or undefined (no `userIds`) while the bot
   * has not seen them in Teams.
   */
  refresh: { verb: string; userIds: string[] | undefined };
}

/** One target connection on the "Defined target connections" card. */
export interface TargetRow {
  id: string;
  title: string;
  subtitle: string;
  status: string;
  statusColor: TextColor;
  facts: { title: string; value: string }[];
}

export interface TargetsListCardData {
  title: string;
  summary: string;
  /** Shown when there are no rows. */
  empty: string;
  rows: TargetRow[];
}

export const rolesCheckCard = defineTemplate<RolesCheckCardData>('roles-check', rolesCheckJson);
export const rolesAssignCard = defineTemplate<RolesAssignCardData>('roles-assign', rolesAssignJson);
export const rolesApprovalCard = defineTemplate<RolesApprovalCardData>('roles-approval', rolesApprovalJson);
export const targetsListCard = defineTemplate<TargetsListCardData>('targets-list', targetsListJson);
