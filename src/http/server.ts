import * as restify from 'restify';
import { registerApi, type ApiDeps } from '../api/registerApi';
import type { Bot } from '../bot/createBot';
import type { Store } from '../connectors/ports';
import type { Logger } from '../util/logger';
import { requireJsonContentType } from '../api/jsonBody';
import { requireBotToken } from './botAuthentication';
import { checkActivity, normalizeTenantIds } from './activityGuard';
import { requireLoopbackHost } from './hostGuard';
import { readActivityBody } from './activityBody';

/** Largest activity accepted; Teams' own message limit is about 28 KB plus envelope. */
const MAX_ACTIVITY_BYTES = 256 * 1024;

export interface ServerDeps {
  bot: Pick<Bot, 'adapter' | 'app'>;
  store: Store;
  logger: Logger;
  version: string;
  anonymous: boolean;
  /** The management API's dependencies; without them no /api/v1 route is mounted. */
  api?: ApiDeps;
}

/** The HTTP surface: POST /api/messages, GET /healthz and, given `api`, the /api/v1 management API. */
export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'connector-concierge', handleUncaughtExceptions: false });
  // Per route, not server.use(): the management API reads its bodies with its own limit.
  const activityBody = [
    readActivityBody(MAX_ACTIVITY_BYTES),
    ...restify.plugins.bodyParser({
      maxBodySize: MAX_ACTIVITY_BYTES,
      mapParams: false,
      rejectUnknown: true,
    }),
  ];

  // Anonymous mode serves whoever reaches the port: every route checks Host (DNS rebinding).
  if (deps.anonymous) server.pre(requireLoopbackHost(deps.logger));

  // Order matters: the token first (nothing about the body is answered to a stranger), then the
  // media type (a web page's form post is not JSON), then the body and its shape.
  const guards = deps.anonymous
    ? [requireJsonContentType(deps.logger)]
    : [requireBotToken(deps.bot.adapter, deps.logger), requireJsonContentType(deps.logger)];

  server.post('/api/messages', ...guards, ...activityBody, async (req, res) => {
    const problem = checkActivity(req.body, deps.anonymous);
    if (problem) {
      deps.logger.warn('activity refused', { problem, remote: req.socket.remoteAddress });
      res.send(400, { error: { code: 'BadActivity', message: problem } });
      return;
    }
    normalizeTenantIds(req.body as Record<string, unknown>);
    try {
      await deps.bot.adapter.processHttp(req, res, (context) =>
        deps.bot.app.run(context).then(() => undefined),
      );
    } catch (err) {
      deps.logger.error('activity processing failed', { error: err });
      if (!res.headersSent)
        res.send(500, { error: { code: 'InternalError', message: 'the activity could not be processed' } });
    }
  });

  server.get('/healthz', async (_req, res) => {
    try {
      await deps.store.ping();
      res.send(200, { status: 'ok', storage: deps.store.kind, version: deps.version });
    } catch (err) {
      deps.logger.warn('health check: store unavailable', { error: err });
      res.send(503, { status: 'unavailable', storage: deps.store.kind, version: deps.version });
    }
  });

  if (deps.api) registerApi(server, deps.api);

  server.on('restifyError', (req, _res, err, callback) => {
    deps.logger.warn('request refused', {
      method: req.method,
      path: req.path(),
      status: err.statusCode,
      error: err,
    });
    return callback();
  });
  return server;
}
