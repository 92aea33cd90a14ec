import { describeReplicas } from './replicaSuite';

describeReplicas('connection string');
