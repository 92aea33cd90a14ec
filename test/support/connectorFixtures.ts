import { randomUUID } from 'node:crypto';
import type { Connector } from '../../src/connectors/connector';
import type { Store } from '../../src/connectors/ports';

/** A connector record as the store holds it; override what a test cares about. */
export function connectorRecord(overrides: Partial<Connector> & Pick<Connector, 'tenantId'>): Connector {
  const now = '2026-03-01T09:00:00.000Z';
  return {
    id: randomUUID(),
    type: 'office365',
    displayName: `Connector ${randomUUID().slice(0, 6)}`,
    status: 'authorized',
    createdAt: now,
    authorizedAt: now,
    version: 0,
    ...overrides,
  };
}

/** Puts connectors straight into the store (the chat path is tested elsewhere). */
export async function seedConnectors(store: Store, connectors: Connector[]): Promise<Connector[]> {
  const created: Connector[] = [];
  for (const c of connectors) created.push(await store.connectors.create(c));
  return created;
}
