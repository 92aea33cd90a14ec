import type { TurnContext } from 'botbuilder';
import type { Connector } from '../../connectors/connector';

/** A person in the tenant's directory. */
export interface DirectoryPerson {
  /** Entra object id, when known. */
  id?: string;
  name: string;
  upn: string;
}

/** Who a consent request goes to: named people, or everyone holding the reviewer roles. */
export type ConsentAddressees = { kind: 'people'; people: DirectoryPerson[] } | { kind: 'roles' };

/** What happened when the consent request was handed to a global admin. */
export interface HandoverResult {
  delivery?: 'direct' | 'installed' | 'mention';
  /** One sentence for the requester: where the request went, or what to forward by hand. */
  detail: string;
  connector: Connector;
}

/** What a consent check with Microsoft Graph found; only `verified` made the connector authorized. */
export interface ConsentCheckResult {
  kind: 'verified' | 'pending' | 'unavailable';
  /** The connector as it now is (authorized when verified, otherwise unchanged). */
  connector: Connector;
  /** What was found, or why nothing could be checked. */
  message: string;
  /** The seed's permissions a tenant-wide grant still lacks (pending only). */
  missing: { permission: string; allows: string }[];
}

/** What Graph says about the person's admin roles, for step 5. */
export type RoleReport =
  | { kind: 'known'; globalAdmin: boolean; sharePointAdmin: boolean }
  /** Graph is not set up for this bot, so the person is asked. */
  | { kind: 'not-configured'; reason: string }
  /** Graph was asked and failed (refused, unreachable): "could not verify". */
  | { kind: 'failed'; reason: string };

/**
 * The consent hand-over's side effects (Microsoft Graph, proactive messages), given to the
 * Office 365 wizard so that the dialog itself stays free of Teams and HTTP code.
 */
export interface ConsentHandoverPort {
  /** Empty when Graph is configured; otherwise the settings it needs. */
  graphMissingSettings(): string[];
  /** The tenant's Global Administrators, names resolved. */
  listGlobalAdmins(tenantId: string): Promise<DirectoryPerson[]>;
  /** Finds a person by Entra object id or UPN (Graph, else the Teams roster). */
  resolvePerson(
    context: TurnContext,
    tenantId: string,
    idOrUpn: string,
  ): Promise<DirectoryPerson | undefined>;
  /**
   * Opens a consent request for the named people, or for everyone holding the reviewer roles,
   * and sends each of them the card 1:1 (installing the app for them or @mentioning them when
   * needed).
   */
  sendRequest(
    context: TurnContext,
    connector: Connector,
    addressees: ConsentAddressees,
    requester: { id: string; name: string },
    cardActivityId?: string,
  ): Promise<HandoverResult>;
  /** The names of the roles whose holders may review ("Global Administrator, …"). */
  reviewerRoleNames(): string[];
  /** Checks the connector app's admin consent with Graph; records it (authorized) when it passes. */
  checkConsent(connector: Connector, actor: { id: string; name: string }): Promise<ConsentCheckResult>;
  /** The person's Global and SharePoint Administrator roles as Graph reports them. */
  adminRolesOf(tenantId: string, userId: string): Promise<RoleReport>;
}
