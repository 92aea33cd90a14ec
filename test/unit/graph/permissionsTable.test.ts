import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRAPH_PERMISSIONS } from '../../../src/graph/graphPermissions';

/** The first-column names of the README's "Microsoft Graph permissions" table. */
function documentedPermissions(): string[] {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const section = readme.split(/^### Microsoft Graph permissions$/m)[1]?.split(/^#{2,3} /m)[0] ?? '';
  return [...section.matchAll(/^\|\s*`([A-Za-z.]+)`\s*\|/gm)].map((m) => m[1]);
}

test('the README lists exactly the application permissions the bot asks Graph for', () => {
  const documented = documentedPermissions();
  expect(documented.length).toBeGreaterThan(0);
  expect([...documented].sort()).toEqual([...new Set(Object.values(GRAPH_PERMISSIONS))].sort());
});
