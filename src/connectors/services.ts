import type { AuditLog, ConnectorStore, SecretStore } from './ports';
import type { Clock } from '../util/clock';
import { ConnectorService } from './connectorService';
import { ConsentService } from './consentService';
import type { AdminGroupPort, ConsentReader } from './directoryPorts';
import { ImportService } from './importService';
import { ConnectorLifecycle } from './lifecycle';

/** The domain services every adapter (chat, API, scheduler) calls; built once by the composition root. */
export interface ConnectorServices {
  lifecycle: ConnectorLifecycle;
  connectors: ConnectorService;
  imports: ImportService;
  consent: ConsentService;
}

/** The ports the domain services are built over. */
export interface ConnectorServicePorts {
  store: { connectors: ConnectorStore; secrets: SecretStore; audit: AuditLog };
  clock: Clock;
  inactivityDays: number;
  adminGroup: AdminGroupPort;
  consentReader: ConsentReader;
}

export function createConnectorServices(ports: ConnectorServicePorts): ConnectorServices {
  const lifecycle = new ConnectorLifecycle(ports.store, ports.clock, ports.inactivityDays);
  return {
    lifecycle,
    connectors: new ConnectorService(lifecycle, ports.store.connectors, ports.adminGroup),
    imports: new ImportService(lifecycle, ports.store.connectors, ports.clock),
    consent: new ConsentService(lifecycle, ports.consentReader),
  };
}
