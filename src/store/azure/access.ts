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
 * Storage answered 403 to the bot's identity: it authenticated, but holds no role that allows
 * the request (AuthorizationPermissionMismatch), or Storage refused its token. Says which role
 * the identity needs, so the operator can assign it.
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
    super(
      `${label} at ${url} refused the identity (403${typeof code === 'string' ? ` ${code}` : ''}): it needs the role "${role}" on the storage account`,
    );
    this.name = 'StorageAccessDeniedError';
    this.setting = setting;
    this.role = role;
  }
}

/** Turns a 403 of `service` into StorageAccessDeniedError; other failures pass unchanged. */
export function deniedAs<T>(service: StorageService, url: string, request: Promise<T>): Promise<T> {
  return request.catch((err: unknown) => {
    throw httpStatusOf(err) === 403 ? new StorageAccessDeniedError(service, url, err) : err;
  });
}
