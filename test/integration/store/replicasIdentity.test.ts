import { describeReplicas } from './replicaSuite';

describeReplicas('managed identity');
