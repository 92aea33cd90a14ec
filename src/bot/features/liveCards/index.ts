import type { Application, TurnState } from '@microsoft/teams-ai';
import type { BotDeps } from '../../deps';
import { registerDigestRefresh } from './digestRefresh';
import { registerNoticeRefresh } from './noticeRefresh';

/**
 * Cards that stay current: the refresh verbs Teams calls when a card with `refresh` is shown.
 * Each reads the store once for its card and writes nothing.
 */
export function registerLiveCards(app: Application<TurnState>, deps: BotDeps): void {
  registerDigestRefresh(app, deps);
  registerNoticeRefresh(app, deps);
}
