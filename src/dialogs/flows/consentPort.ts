import type { TurnContext } from 'botbuilder';
import type { Connector } from '../../connectors/connector';

/** A person in the tenant's directory. */
export interface DirectoryPerson {
  /** Entra object id, when known. */
  id?: string;
  name: string;
  upn: string;
}

/** What happened when the consent request was handed to a global admin. */
export interface HandoverResult {
  delivery?: 'direct' | 'installed' | 'mention';
  /** One sentence for the requester: where the request went, or what to forward by hand. */
  detail: string;
  connector: Connector;
}

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
  /** Sends the request to the admin 1:1, installing the app for them or @mentioning them when needed. */
  sendRequest(
    context: TurnContext,
    connector: Connector,
    admin: DirectoryPerson,
    requester: { id: string; name: string },
    cardActivityId?: string,
  ): Promise<HandoverResult>;
}
