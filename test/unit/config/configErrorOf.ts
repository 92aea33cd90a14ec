import { ConfigError, loadConfig } from '../../../src/config/config';

/** The ConfigError `loadConfig` throws for `env`; fails the test when it loads or throws something else. */
export function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
