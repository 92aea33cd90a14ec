import type { CardVerbs } from '../../cardVerbs';
import type { BotDeps } from '../../deps';
import { digestRefreshVerb } from './digestRefresh';
import { noticeRefreshVerb } from './noticeRefresh';

/**
 * Cards that stay current: the refresh verbs Teams calls when a card with `refresh` is shown.
 * Each reads the store once for its card and writes nothing.
 */
export function liveCardVerbs(deps: BotDeps): CardVerbs {
  return [digestRefreshVerb(deps), noticeRefreshVerb(deps)];
}
