import { StorageAccessDeniedError } from '../../../../src/store/azure/access';

/** A Storage 403 as the Tables SDK raises it: no `code`, the x-ms-error-code header. */
function refused(code?: string) {
  return {
    statusCode: 403,
    response: { headers: { get: (name: string) => (name === 'x-ms-error-code' ? code : undefined) } },
  };
}

const URL = 'https://contoso.table.core.windows.net';

describe('a Storage 403 says what its error code shows, and only that', () => {
  test.each([
    [
      'AuthorizationPermissionMismatch',
      /refused the identity \(403 AuthorizationPermissionMismatch\): it needs the role "Storage Table Data Contributor" on the storage account$/,
    ],
    [
      'AuthorizationFailure',
      /refused the request \(403 AuthorizationFailure\): the storage account's firewall or network rules block this bot/,
    ],
    [
      'AuthenticationFailed',
      /did not accept the identity's token \(403 AuthenticationFailed\): the token is for another tenant or cloud/,
    ],
    [
      undefined,
      /refused the identity \(403\): check that it has the role "Storage Table Data Contributor" on the storage account and that the account's firewall lets this bot in$/,
    ],
  ])('%s', (code, said) => {
    const error = new StorageAccessDeniedError('table', URL, refused(code));
    expect(error.message).toMatch(new RegExp(`^Table storage at ${URL.replace(/\./g, '\\.')} `));
    expect(error.message).toMatch(said);
    expect(error.setting).toBe('AZURE_STORAGE_TABLE_URL');
  });

  test('a firewall refusal does not send the operator to assign a role', () => {
    expect(
      new StorageAccessDeniedError('blob', URL, { code: 'AuthorizationFailure', statusCode: 403 }).message,
    ).not.toContain('needs the role');
  });
});
