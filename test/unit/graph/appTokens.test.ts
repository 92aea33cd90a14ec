import { reply } from '../../support/fakeMicrosoftCloud';
import { graphFailure, useGraphFake } from './graphFake';

const fake = useGraphFake();

describe('the sign-in service busy or down is not a settings error', () => {
  test('503 temporarily_unavailable: GRAPH_UNAVAILABLE, and MSAL’s own block after it too', async () => {
    fake.cloud.login.failNext(
      reply(503, {
        error: 'temporarily_unavailable',
        error_description: 'AADSTS90033: A transient error has occurred.',
      }),
    );
    const gw = fake.gateway();
    const err = await graphFailure(gw.get(fake.contoso.id, '/organization'));
    expect(err.code).toBe('GRAPH_UNAVAILABLE');
    expect(err.message).toContain('Microsoft Entra sign-in');
    expect(err.message).toContain('unavailable');
    expect(err.message).toContain('Try again');
    expect(err.message).not.toContain('GRAPH_CLIENT_ID');
    expect(fake.logged('graph token request failed: sign-in service unavailable')).toHaveLength(1);

    // MSAL refuses the next call itself for a while (its throttling cache): the same outage.
    const again = await graphFailure(gw.get(fake.contoso.id, '/organization'));
    expect(again.code).toBe('GRAPH_UNAVAILABLE');
    expect(fake.cloud.login.calls).toHaveLength(1);
    expect(fake.cloud.graph.requests).toHaveLength(0);
  });

  test('500 with a body that is not JSON: GRAPH_UNAVAILABLE', async () => {
    fake.cloud.login.failNext({
      status: 500,
      body: '<html>Service Unavailable</html>',
      headers: { 'content-type': 'text/html' },
    });
    const err = await graphFailure(fake.gateway().get(fake.contoso.id, '/organization'));
    expect(err.code).toBe('GRAPH_UNAVAILABLE');
    expect(err.status).toBe(500);
  });

  test('429 with Retry-After: GRAPH_THROTTLED with the wait it asked for', async () => {
    fake.cloud.login.failNext(
      reply(
        429,
        {
          error: 'invalid_request',
          error_description:
            'AADSTS50196: The server terminated an operation because it encountered a client request loop.',
          error_codes: [50196],
        },
        { 'Retry-After': '7' },
      ),
    );
    const err = await graphFailure(fake.gateway().get(fake.contoso.id, '/organization'));
    expect(err.code).toBe('GRAPH_THROTTLED');
    expect(err.retryAfterMs).toBe(7000);
    expect(err.message).toContain('7 s');
    expect(err.message).not.toContain('GRAPH_CLIENT');
  });

  test('a refused secret is still GRAPH_AUTH_FAILED', async () => {
    const err = await graphFailure(
      fake.gateway({ clientSecret: 'wrong~secret' }).get(fake.contoso.id, '/organization'),
    );
    expect(err.code).toBe('GRAPH_AUTH_FAILED');
    expect(err.message).toContain('GRAPH_CLIENT_SECRET');
  });
});

describe('a token request that never gets an answer', () => {
  test('is given up at the deadline as GRAPH_UNAVAILABLE for every caller sharing it; the next call asks again', async () => {
    fake.cloud.login.stallNext();
    const gw = fake.gateway({ tokenTimeoutMs: 300 });
    const started = Date.now();
    const [a, b] = await Promise.all([
      graphFailure(gw.get(fake.contoso.id, '/organization')),
      graphFailure(gw.get(fake.contoso.id, '/subscribedSkus')),
    ]);
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const err of [a, b]) {
      expect(err.code).toBe('GRAPH_UNAVAILABLE');
      expect(err.message).toContain('did not answer');
    }
    expect(fake.cloud.login.calls).toHaveLength(1);
    expect(fake.logged('graph token request timed out')).toHaveLength(1);

    // Not stuck: the next call makes a new token request, which is answered.
    await gw.get(fake.contoso.id, '/organization');
    expect(fake.cloud.login.calls).toHaveLength(2);
    expect(fake.cloud.login.issued).toHaveLength(1);
  });
});
