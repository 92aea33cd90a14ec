import type { FakeGraph } from './graph';
import type { FakeLogin } from './login';
import type { FakeMicrosoftCloud } from './server';
import type { FakeTenant } from './tenant';

/** What the fake's endpoints share: its services, its tenants and where it listens. */
export interface CloudContext {
  login: FakeLogin;
  graph: FakeGraph;
  tenants: Map<string, FakeTenant>;
  /** The public key every tenant's OpenID metadata publishes. */
  signingJwk: object;
  /** A tenant by id or domain. */
  findTenant(idOrDomain: string): FakeTenant | undefined;
  /** The issuer of a tenant's tokens of one version, as its OpenID metadata names it. */
  issuerOf(tenantId: string, v2: boolean): string;
  /** https://127.0.0.1:PORT, once listening. */
  readonly base: string;
  cloud(): FakeMicrosoftCloud;
}
