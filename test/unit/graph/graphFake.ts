import { GraphError } from '../../../src/graph/errors';
import { MsGraphGateway, type GraphGatewayOptions } from '../../../src/graph/graphGateway';
import { createLogger } from '../../../src/util/logger';
import {
  startFakeMicrosoftCloud,
  type FakeMicrosoftCloud,
  type FakeTenant,
} from '../../support/fakeMicrosoftCloud';
import { installNetworkGuard, type NetworkGuard } from '../../support/networkGuard';

/** The fake Microsoft cloud with one tenant, and real gateways on it, for a test file. */
export interface GraphFake {
  readonly cloud: FakeMicrosoftCloud;
  readonly contoso: FakeTenant;
  /** A gateway on the fake (retries do not wait), closed after the test. */
  gateway(overrides?: Partial<GraphGatewayOptions>): MsGraphGateway;
  /** The log lines of this test with this message. */
  logged(msg: string): Record<string, unknown>[];
}

/**
 * Starts the fake cloud behind the network guard for the file, resets it and the log before each
 * test, and closes the test's gateways after it.
 */
export function useGraphFake(): GraphFake {
  let guard: NetworkGuard;
  let cloud: FakeMicrosoftCloud | undefined;
  let contoso: FakeTenant | undefined;
  let logLines: string[] = [];
  const gateways: MsGraphGateway[] = [];
  const logger = createLogger('debug', (line) => logLines.push(line));

  beforeAll(async () => {
    guard = installNetworkGuard();
    cloud = await startFakeMicrosoftCloud();
    contoso = cloud.addTenant();
  });
  beforeEach(() => {
    cloud!.reset();
    logLines = [];
  });
  afterEach(() => {
    for (const gw of gateways.splice(0)) gw.close();
  });
  afterAll(async () => {
    await cloud?.stop();
    guard.uninstall();
  });

  return {
    get cloud() {
      return cloud!;
    },
    get contoso() {
      return contoso!;
    },
    gateway(overrides = {}) {
      const gw = new MsGraphGateway({
        ...cloud!.gatewayOptions(),
        logger,
        sleep: async () => {},
        ...overrides,
      });
      gateways.push(gw);
      return gw;
    },
    logged: (msg) =>
      logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg),
  };
}

/** The GraphError `promise` rejects with; fails the test if it resolves or rejects otherwise. */
export async function graphFailure(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(GraphError);
    return err as GraphError;
  }
  throw new Error('expected a GraphError');
}
