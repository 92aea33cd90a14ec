/** A GUID in its usual 8-4-4-4-12 hex form (tenant, app and object ids), either case. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A tenant id in the one form the bot keys everything by: a GUID, trimmed and lower-cased.
 * Undefined for anything that is not a GUID.
 */
export function normalizeTenantId(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim();
  return GUID.test(value) ? value.toLowerCase() : undefined;
}
