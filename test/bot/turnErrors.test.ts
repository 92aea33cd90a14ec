import { turnErrorMessage } from '../../src/bot/turnErrors';
import { MissingTenantError } from '../../src/bot/turnInfo';
import { ConcurrencyError, StoreUnavailableError } from '../../src/connectors/ports';

describe('what a person is told when a turn fails', () => {
  test('a storage outage asks them to try again in a minute', () => {
    expect(turnErrorMessage(new StoreUnavailableError(new Error('ECONNREFUSED')), 'r1')).toContain(
      'Try again in a minute',
    );
    const sqliteBusy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    expect(turnErrorMessage(sqliteBusy, 'r2')).toContain('Storage is unavailable');
  });

  test('a lost race (two clicks at once) says nothing was applied twice', () => {
    expect(turnErrorMessage(new ConcurrencyError('connector x'), 'r3')).toContain(
      'changed at the same moment',
    );
  });

  test('an activity without a tenant is explained', () => {
    expect(turnErrorMessage(new MissingTenantError(), 'r4')).toContain('did not say which tenant');
  });

  test('anything else gives a reference to quote to the admin', () => {
    expect(turnErrorMessage(new Error('boom'), 'abc123')).toContain('reference: abc123');
  });
});
