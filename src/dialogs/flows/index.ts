import { CONNECTOR_TYPES } from '../../connectors/catalog';
import type { WizardFlow } from '../wizardFlow';
import { OAuthFlow } from './oauthFlow';
import { Office365Flow } from './office365Flow';

/** One flow per connector type in the catalog. */
export function createFlows(): WizardFlow[] {
  return CONNECTOR_TYPES.filter((type) => type.authorization === 'oauth').map((type) =>
    type.id === 'office365' ? new Office365Flow() : new OAuthFlow(type.id),
  );
}
