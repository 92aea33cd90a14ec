/**
 * The HTTP status an error carries, if it got an answer: `statusCode` (Azure SDK, botbuilder),
 * `status` (Graph client) or `response.status` (fetch-style errors), whichever comes first.
 */
export function httpStatusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  const status = e?.statusCode ?? e?.status ?? e?.response?.status;
  return typeof status === 'number' ? status : undefined;
}
