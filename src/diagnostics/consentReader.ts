import type { ConnectorApp } from '../config/config';
import type { ConsentReader, ConsentReading } from '../connectors/directoryPorts';
import type { GraphGateway } from '../graph/graphGateway';
import type { Logger } from '../util/logger';
import { checkConsent, describeConsent } from './consentCheck';

/** The connector app's admin consent as Microsoft Graph reports it (CONNECTOR_APP_ID's grants and roles). */
export class GraphConsentReader implements ConsentReader {
  constructor(
    private readonly graph: GraphGateway,
    private readonly connectorApp: ConnectorApp,
    private readonly logger?: Logger,
  ) {}

  async read(tenantId: string): Promise<ConsentReading> {
    const { appId, reason } = this.connectorApp;
    if (appId === undefined) return { kind: 'unavailable', message: `I cannot check consent: ${reason}` };
    if (!this.graph.configured) {
      return {
        kind: 'unavailable',
        message: `I cannot check consent with Microsoft Graph: set ${this.graph.missingSettings().join(' and ')}.`,
      };
    }
    try {
      const state = await checkConsent(this.graph, tenantId, appId);
      if (state.kind === 'granted') return { kind: 'granted' };
      return {
        kind: 'pending',
        message: `${describeConsent(state)} Consent can take a few minutes to replicate; check again shortly.`,
        missing: state.kind === 'no-service-principal' ? [] : state.missing,
      };
    } catch (err) {
      this.logger?.warn('consent could not be checked', { tenantId, error: err });
      return { kind: 'unavailable', message: `I could not check consent: ${(err as Error).message}` };
    }
  }
}
