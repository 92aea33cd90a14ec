import type { Connector } from './connector';
import type { ConsentReader, MissingPermission } from './directoryPorts';
import type { ActorRef, ConnectorLifecycle } from './lifecycle';

/** The outcome of checking a connector's admin consent. */
export type ConsentOutcome =
  | { kind: 'verified'; connector: Connector }
  | { kind: 'pending'; message: string; missing: MissingPermission[] }
  | { kind: 'unavailable'; message: string };

/**
 * Verifies an awaiting-consent connector's admin consent with the directory and records a
 * consent that is there. Telling the people involved is the caller's part.
 */
export class ConsentService {
  constructor(
    private readonly lifecycle: ConnectorLifecycle,
    private readonly reader: ConsentReader,
  ) {}

  async verify(connector: Connector, actor: ActorRef): Promise<ConsentOutcome> {
    const reading = await this.reader.read(connector.tenantId);
    if (reading.kind !== 'granted') return reading;
    return { kind: 'verified', connector: await this.lifecycle.recordConsentVerified(connector, actor) };
  }
}
