import { CONNECTOR_TYPES } from '../../connectors/catalog';
import { isKeyConnectorType } from '../../connectors/credentials';
import type { SecretBox } from '../../secrets/secretBox';
import type { KeyVerifier } from '../../verification/keyVerifier';
import type { Logger } from '../../util/logger';
import type { WizardFlow } from '../wizardFlow';
import type { ConsentHandoverPort } from './consentPort';
import { KeysFlow } from './keysFlow';
import { OAuthFlow } from './oauthFlow';
import { Office365Flow } from './office365Flow';

/** One flow per connector type in the catalog. */
export function createFlows(deps: {
  secretBox: SecretBox;
  keyVerifier: KeyVerifier;
  handover?: ConsentHandoverPort;
  logger?: Logger;
}): WizardFlow[] {
  return CONNECTOR_TYPES.map((type) => {
    if (type.id === 'office365') return new Office365Flow(deps.handover);
    if (isKeyConnectorType(type.id))
      return new KeysFlow(type.id, deps.secretBox, deps.keyVerifier, deps.logger);
    return new OAuthFlow(type.id);
  });
}
