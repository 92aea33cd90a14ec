/**
 * What the domain asks the tenant's directory (Microsoft Graph in production), as ports: the
 * services never see Graph, so tests hand in their own answers.
 */

/** Membership of ADMIN_GROUP_ID. */
export interface AdminGroupPort {
  /** Whether ADMIN_GROUP_ID is set at all. */
  readonly configured: boolean;
  /** True when the person is in the group; false when not, or when the directory cannot say. */
  isMember(tenantId: string, userId: string | undefined): Promise<boolean>;
}

/** One of the seed's permissions that a consent lacks, in the seed's words. */
export interface MissingPermission {
  permission: string;
  allows: string;
}

/** What the directory says about the connector app's admin consent in one tenant. */
export type ConsentReading =
  | { kind: 'granted' }
  /** `message` says what is missing, for the person who asked. */
  | { kind: 'pending'; message: string; missing: MissingPermission[] }
  /** The check could not run (not configured, directory failed). */
  | { kind: 'unavailable'; message: string };

/** Reads the connector app's admin consent. */
export interface ConsentReader {
  read(tenantId: string): Promise<ConsentReading>;
}
