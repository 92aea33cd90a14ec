/**
 * A local stand-in for the two Microsoft services the bot calls for app-only Graph access, on ONE
 * HTTPS server (see ./server for the whole picture). One file per area:
 *
 * - server: start-up, the request dispatch and the `FakeMicrosoftCloud` handle tests use;
 * - login: the token endpoint and tenants' OpenID metadata; graphRequests: Graph requests and `$batch`;
 * - graph: programmed routes, failures, records and batch throttling; odata: filters, replies, paging;
 * - tenant and ids: a tenant's directory (users, licences, service principals, roles);
 * - routes/*: the tenant fixture's Graph routes, by area.
 */
export * from './ids';
export * from './tenant';
export * from './odata';
export * from './graph';
export * from './login';
export * from './server';
