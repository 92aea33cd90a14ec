import { httpStatusOf } from '../../util/httpStatus';

/** The storage services the bot uses, with the data-plane role an identity needs on each. */
export const STORAGE_ROLES = {
  table: {
    label: 'Table storage',
    setting: 'AZURE_STORAGE_TABLE_URL',
    role: 'Storage Table Data Contributor',
  },
  blob: { label: 'Blob storage', setting: 'AZURE_STORAGE_BLOB_URL', role: 'Storage Blob Data Contributor' },
} as const;

export type StorageService = keyof typeof STORAGE_ROLES;

/** Storage's error code: the SDK's, else the x-ms-error-code header (Tables leave `code` unset). */
function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; response?: { headers?: { get?(name: string): string | undefined } } };
  if (typeof e?.code === 'string') return e.code;
  const header = e?.response?.headers?.get?.('x-ms-error-code');
  return typeof header === 'string' ? header : undefined;
}

/**
 * Storage answered 403 to the bot's identity. Says what Storage's error code shows, and only
 * that: a missing data role (AuthorizationPermissionMismatch), the account's firewall
 * (AuthorizationFailure), or a token Storage did not accept (AuthenticationFailed: another
 * tenant or cloud); for any other code, both things worth checking.
 */
export class StorageAccessDeniedError extends Error {
  readonly code = 'STORAGE_ACCESS_DENIED';
  readonly setting: string;
  readonly role: string;
  constructor(
    readonly service: StorageService,
    readonly url: string,
    cause: unknown,
  ) {
    const { label, setting, role } = STORAGE_ROLES[service];
    const code = errorCode(cause);
    super(`${label} at ${url} ${deniedReason(code, role)}`);
    this.name = 'StorageAccessDeniedError';
    this.setting = setting;
    this.role = role;
  }
}

function deniedReason(code: string | undefined, role: string): string {
  const status = `403${code === undefined ? '' : ` ${code}`}`;
  switch (code) {
    case 'AuthorizationPermissionMismatch':
      return `refused the identity (${status}): it needs the role "${role}" on the storage account`;
    case 'AuthorizationFailure':
      return `refused the request (${status}): the storage account's firewall or network rules block this bot; allow its address or virtual network under the account's Networking settings`;
    case 'AuthenticationFailed':
      return `did not accept the identity's token (${status}): the token is for another tenant or cloud than the storage account's (check AZURE_TENANT_ID and CLOUD)`;
    default:
      return `refused the identity (${status}): check that it has the role "${role}" on the storage account and that the account's firewall lets this bot in`;
  }
}

/** Turns a 403 of `service` into StorageAccessDeniedError; other failures pass unchanged. */
export function deniedAs<T>(service: StorageService, url: string, request: Promise<T>): Promise<T> {
  return request.catch((err: unknown) => {
    throw httpStatusOf(err) === 403 ? new StorageAccessDeniedError(service, url, err) : err;
  });
}
