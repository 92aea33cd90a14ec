import { guardStore } from '../guardStore';
import { StoreUnavailableError } from '../../connectors/ports';

/**
 * SQLite result codes that mean the file cannot serve us: damaged, unreadable, full, locked
 * beyond the busy timeout, read-only, or gone. Constraint failures and SQL mistakes are bugs
 * and surface unchanged.
 */
const UNAVAILABLE_CODE =
  /^SQLITE_(CORRUPT|NOTADB|IOERR|FULL|CANTOPEN|READONLY|BUSY|LOCKED|PROTOCOL|NOMEM|AUTH)(_|$)/;

/** True when a better-sqlite3 error means the database is damaged or unreachable. */
export function isSqliteUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return false;
  const code = (err as { code?: unknown })?.code;
  const message = String((err as { message?: unknown })?.message ?? '');
  if (typeof code === 'string' && UNAVAILABLE_CODE.test(code)) return true;
  // A table or column the migrations created and that is missing now: the file was damaged or replaced.
  if (code === 'SQLITE_ERROR' && /^no such (table|column)/.test(message)) return true;
  // better-sqlite3 once the handle is closed (a lost volume, a shutdown under way).
  return err instanceof TypeError && message === 'The database connection is not open';
}

/**
 * Wraps a SQLite store object so that every method rejects with StoreUnavailableError when the
 * database cannot serve, as the Azure adapter does when Azure cannot: callers (the API's 503,
 * the chat's "storage is unavailable") then handle one error for both adapters.
 */
export function guardSqlite<T extends object>(target: T): T {
  return guardStore(target, isSqliteUnavailable);
}
