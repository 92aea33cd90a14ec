import type { Config } from '../config/config';
import type { Store } from '../store/ports';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';

/** What every feature of the bot is built from; tests hand in their own. */
export interface BotDeps {
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
}
