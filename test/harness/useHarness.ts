/**
 * Suite fixtures: `useHarness` / `useCloudHarness` start the bot (and the HTTPS fake of the
 * Microsoft cloud) before a suite's tests and stop them after, in place of the same
 * beforeAll/afterAll pair in every suite. What they return is usable from the first test on.
 */
import { startFakeMicrosoftCloud, type FakeMicrosoftCloud } from '../support/fakeMicrosoftCloud';
import { startHarness, type Harness, type TestBotOptions } from './testBot';

/**
 * An object that stands for one started in `beforeAll`: every property read or write goes to
 * the real one, so a suite can name it at the top (`const { h } = useHarness()`).
 */
function lateBound<T extends object>(what: string, current: () => T | undefined): T {
  const target = (): T => {
    const value = current();
    if (!value) throw new Error(`${what} is used before its beforeAll has run (or after it failed)`);
    return value;
  };
  return new Proxy({} as T, {
    get: (_, property) => {
      const value = Reflect.get(target(), property) as unknown;
      return typeof value === 'function' ? value.bind(target()) : value;
    },
    set: (_, property, value) => Reflect.set(target(), property, value),
    has: (_, property) => Reflect.has(target(), property),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, property) => Reflect.getOwnPropertyDescriptor(target(), property),
  });
}

/** The bot and its stand-in for the enclosing suite; `options` is read when the suite starts. */
export function useHarness(options: TestBotOptions | (() => TestBotOptions) = {}): { h: Harness } {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    await h?.stop();
  });
  return { h: lateBound('the harness', () => h) };
}

/**
 * The HTTPS fake of the token endpoint and Graph, and the bot pointed at it, for the enclosing
 * suite. `options` (without `cloud`) may depend on the started cloud.
 */
export function useCloudHarness(
  options:
    Omit<TestBotOptions, 'cloud'> | ((cloud: FakeMicrosoftCloud) => Omit<TestBotOptions, 'cloud'>) = {},
): { cloud: FakeMicrosoftCloud; h: Harness } {
  let cloud: FakeMicrosoftCloud | undefined;
  let h: Harness | undefined;
  beforeAll(async () => {
    cloud = await startFakeMicrosoftCloud();
    h = await startHarness({ ...(typeof options === 'function' ? options(cloud) : options), cloud });
  });
  afterAll(async () => {
    await h?.stop();
    await cloud?.stop();
  });
  return { cloud: lateBound('the fake cloud', () => cloud), h: lateBound('the harness', () => h) };
}
