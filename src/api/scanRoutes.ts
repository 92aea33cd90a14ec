import type { RequestHandler, Server } from 'restify';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import { apiRoute } from './handler';

/** `POST /api/v1/scan`: runs the expiry scan now and answers what it did (sent, skipped, retried, failed). */
export function registerScanRoutes(server: Server, deps: ApiDeps, auth: RequestHandler): void {
  server.post(
    '/api/v1/scan',
    auth,
    apiRoute(deps.logger, async () => {
      if (!deps.scanner)
        throw new ApiError(404, 'NotFound', 'The expiry scanner is not running in this process.');
      const report = await deps.scanner.scan();
      return { status: 200, body: report };
    }),
  );
}
