export { createGraphGateway } from './createGraphGateway';
export { GraphError, isGraphError, type GraphErrorCode, type GraphErrorDetails } from './errors';
export {
  DEFAULT_LIST_MAX_ITEMS,
  GRAPH_BATCH_MAX,
  MsGraphGateway,
  type GraphBatchRequest,
  type GraphBatchResponse,
  type GraphGateway,
  type GraphGatewayOptions,
  type GraphPage,
  type GraphPagingOptions,
  type GraphRequestOptions,
} from './graphGateway';
export { defaultPermissionFor, GRAPH_PERMISSIONS, type GraphPermission } from './graphPermissions';
export { normalizeTenantId, pinAuthority } from './authority';
