import { recordVerb } from '../../cardVerbs';
import { chatCommand, type FeatureTables } from '../../chatCommands';
import { activityEvidenceVerbs } from './activityEvidence';
import { explainRename, whichConnector } from './connectorGuidance';
import { LIST_REFRESH_VERB, listConnectors, listNow } from './connectorList';
import { CONNECTORS_COMMANDS } from './connectorsCommands';
import type { ConnectorsFeatureDeps } from './connectorsDeps';
import { showStatus, STATUS_REFRESH_VERB, statusNow } from './connectorStatus';
import {
  askToDelete,
  DELETE_CANCEL_VERB,
  deleteCancelled,
  deleteVerb,
  recordTransfer,
} from './manageConnector';
import { revocationVerbs } from './revocationFeature';

/**
 * Managing connectors by chat command: connectors, status, delete (confirmed), rename,
 * transfer, which. Loading a connector deauthorizes it when its 90 days are up.
 */
export function connectorsFeature(deps: ConnectorsFeatureDeps): FeatureTables {
  return {
    commands: [
      chatCommand(CONNECTORS_COMMANDS.connectors, (context, _state, args) =>
        listConnectors(deps, context, args),
      ),
      chatCommand(CONNECTORS_COMMANDS.status, (context, _state, args) => showStatus(deps, context, args)),
      chatCommand(CONNECTORS_COMMANDS.delete, (context, _state, args) => askToDelete(deps, context, args)),
      chatCommand(CONNECTORS_COMMANDS.rename, (context, _state, args) => explainRename(deps, context, args)),
      chatCommand(CONNECTORS_COMMANDS.transfer, (context, _state, args) =>
        recordTransfer(deps, context, args),
      ),
      chatCommand(CONNECTORS_COMMANDS.which, (context, _state, args) => whichConnector(context, args)),
    ],
    verbs: [
      deleteVerb(deps),
      recordVerb(DELETE_CANCEL_VERB, (context, _state, data) => deleteCancelled(deps, context, data)),
      ...revocationVerbs(deps),
      ...activityEvidenceVerbs(deps),
      recordVerb(LIST_REFRESH_VERB, (context, _state, data) => listNow(deps, context, data)),
      recordVerb(STATUS_REFRESH_VERB, (context, _state, data) => statusNow(deps, context, data)),
    ],
  };
}
