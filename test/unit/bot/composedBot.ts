import { compose } from '../../../src/compose';
import type { Bot } from '../../../src/bot/createBot';
import { loadConfig } from '../../../src/config/config';
import { createGraphGateway } from '../../../src/graph/createGraphGateway';
import { SecretBox } from '../../../src/secrets/secretBox';
import { loadSecretsKey } from '../../../src/secrets/secretsKey';
import { createSqliteStore } from '../../../src/store/sqlite';
import { createLogger } from '../../../src/util/logger';
import { ServiceKeyVerifier } from '../../../src/verification/keyVerifier';
import { makeTempDir, removeTempDir, TestClock } from '../../harness/testBot';

/**
 * What the bot registers (its commands and card verbs) as the composition root builds it, with
 * a store in a temporary folder that is closed and removed again.
 */
export async function composedBotTables(): Promise<Pick<Bot, 'commands' | 'cardVerbs'>> {
  const dir = makeTempDir();
  const config = loadConfig({ DATA_DIR: dir });
  const logger = createLogger('error', () => undefined);
  const store = createSqliteStore(config.dataDir);
  try {
    const { bot } = compose({
      config,
      store,
      logger,
      clock: new TestClock(),
      secretBox: new SecretBox(loadSecretsKey(config.secretsKey, config.dataDir)),
      keyVerifier: new ServiceKeyVerifier({ timeoutMs: 1000 }),
      graph: createGraphGateway(config, logger),
      version: 'test',
    });
    return { commands: bot.commands, cardVerbs: bot.cardVerbs };
  } finally {
    await store.close();
    removeTempDir(dir);
  }
}
