import type { ActorRef } from '../connectors/lifecycle';
import { ImportRejectedError, type ImportItem, type ImportResult } from '../connectors/importService';
import { API_ACTOR, type ApiDeps } from './deps';
import { validationFailed } from './schemas';

/**
 * Imports connectors into a tenant through the import service: a list that breaks a rule is
 * answered 422 naming every problem, with nothing written.
 */
export async function importConnectors(
  deps: Pick<ApiDeps, 'imports' | 'logger'>,
  tenantId: string,
  items: ImportItem[],
  single: boolean,
  actor: ActorRef = API_ACTOR,
): Promise<ImportResult[]> {
  let results: ImportResult[];
  try {
    results = await deps.imports.import(tenantId, items, single, { actor, via: API_ACTOR });
  } catch (err) {
    if (err instanceof ImportRejectedError) throw validationFailed(err.problems);
    throw err;
  }
  const created = results.filter((r) => r.created).length;
  deps.logger.info('api: connectors imported', {
    tenantId,
    created,
    unchanged: results.length - created,
  });
  return results;
}
