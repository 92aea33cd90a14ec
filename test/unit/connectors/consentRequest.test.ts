import {
  approveConsentRequest,
  bindReviewer,
  closedMessage,
  closeVerifiedConsentRequest,
  consentRequestAgeDays,
  declineConsentRequest,
  expireConsentRequest,
  forwardConsentRequest,
  isConsentRequestDue,
  MAX_REASON,
  openConsentRequest,
  reviewerOf,
  reportConsentGranted,
  reviewerRoleByName,
  type ConsentRequest,
} from '../../../src/connectors/consentRequest';

const t0 = new Date('2026-03-01T09:00:00.000Z');
const days = (n: number) => new Date(t0.getTime() + n * 24 * 3_600_000);
const adele = { id: 'admin-1', name: 'Adele' };
const bob = { id: 'admin-2', name: 'Bob' };
const mallory = { id: 'user-9', name: 'Mallory' };

function request(): ConsentRequest {
  return openConsentRequest(
    {
      id: 'r-1',
      tenantId: 't-1',
      connectorId: 'c-1',
      connectorName: 'Contoso',
      requester: { id: 'user-1', name: 'Sam' },
      reviewers: [
        { ...adele, via: 'named' },
        { ...bob, via: 'role', role: 'Global Administrator' },
        { ...adele, via: 'role', role: 'Global Administrator' },
        { name: 'carol@contoso.example', upn: 'Carol@Contoso.example', via: 'named' },
      ],
      roles: ['Global Administrator'],
    },
    t0,
    30,
  );
}

function ok(result: ReturnType<typeof approveConsentRequest>): ConsentRequest {
  if (!result.ok) throw new Error(`refused: ${result.code}`);
  return result.request;
}

describe('consent request transitions', () => {
  test('a new request addresses each reviewer once and expires after the configured days', () => {
    const r = request();
    expect(r.reviewers.map((x) => x.name)).toEqual(['Adele', 'Bob', 'carol@contoso.example']);
    expect(r).toMatchObject({ state: 'open', expiresAt: days(30).toISOString(), forwards: [] });
    expect(() => openConsentRequest({ ...r, reviewers: [] }, t0, 30)).toThrow(/at least one reviewer/);
  });

  test('a reported grant Graph did not confirm keeps the request open and remembers who said so', () => {
    const reported = ok(reportConsentGranted(request(), adele, 'pending', days(1)));
    expect(reported).toMatchObject({
      state: 'open',
      report: { by: adele, at: days(1).toISOString(), check: 'pending' },
    });
    expect(reportConsentGranted(request(), mallory, 'pending', days(1))).toMatchObject({
      ok: false,
      code: 'NOT_REVIEWER',
    });
    const closed = ok(declineConsentRequest(reported, bob, 'no', days(2)));
    expect(reportConsentGranted(closed, adele, 'unavailable', days(3))).toMatchObject({
      ok: false,
      code: 'NOT_OPEN',
    });
  });

  test('the first decision closes it for every reviewer; later ones are refused', () => {
    const approved = ok(approveConsentRequest(request(), bob, days(1)));
    expect(approved).toMatchObject({ state: 'approved', handledBy: { id: 'admin-2', name: 'Bob' } });
    const late = declineConsentRequest(approved, adele, 'too late', days(2));
    expect(late).toMatchObject({ ok: false, code: 'NOT_OPEN' });
    expect(late.ok ? '' : late.message).toContain('already handled by Bob');
  });

  test('only a reviewer, by object id, may decide; a UPN-only reviewer must be bound first', () => {
    expect(approveConsentRequest(request(), mallory, t0)).toMatchObject({ ok: false, code: 'NOT_REVIEWER' });
    const carol = { id: 'carol-id', name: 'Carol' };
    expect(approveConsentRequest(request(), carol, t0)).toMatchObject({ ok: false, code: 'NOT_REVIEWER' });
    const bound = bindReviewer(request(), 'carol@contoso.EXAMPLE', 'carol-id');
    expect(reviewerOf(bound, 'carol-id')?.upn).toBe('Carol@Contoso.example');
    expect(ok(approveConsentRequest(bound, carol, t0)).handledBy?.id).toBe('carol-id');
    // Binding another UPN, or an empty id, changes nothing.
    expect(bindReviewer(request(), 'nobody@contoso.example', 'x')).toEqual(request());
    expect(bindReviewer(request(), 'carol@contoso.example', '')).toEqual(request());
  });

  test('a decline needs a reason, trimmed and at most MAX_REASON characters', () => {
    expect(declineConsentRequest(request(), adele, '   ', t0)).toMatchObject({
      ok: false,
      code: 'REASON_REQUIRED',
    });
    expect(declineConsentRequest(request(), adele, 'x'.repeat(MAX_REASON + 1), t0)).toMatchObject({
      ok: false,
      code: 'REASON_TOO_LONG',
    });
    expect(ok(declineConsentRequest(request(), adele, '  not this app  ', t0))).toMatchObject({
      state: 'declined',
      reason: 'not this app',
      handledBy: { id: 'admin-1' },
    });
  });

  test('a forward adds the admin as a reviewer and keeps the request open; not to someone already reviewing', () => {
    const dan = { id: 'admin-4', name: 'Dan', upn: 'dan@contoso.example' };
    const forwarded = ok(forwardConsentRequest(request(), adele, dan, days(1)));
    expect(forwarded.state).toBe('open');
    expect(reviewerOf(forwarded, 'admin-4')).toMatchObject({ via: 'forwarded' });
    expect(forwarded.forwards).toEqual([
      { from: adele, to: { ...dan, via: 'forwarded' }, at: days(1).toISOString() },
    ]);
    expect(ok(approveConsentRequest(forwarded, dan, days(2))).handledBy?.name).toBe('Dan');
    expect(forwardConsentRequest(request(), adele, { id: 'admin-2', name: 'Bob' }, t0)).toMatchObject({
      ok: false,
      code: 'FORWARD_TO_REVIEWER',
    });
    expect(forwardConsentRequest(request(), mallory, dan, t0)).toMatchObject({
      ok: false,
      code: 'NOT_REVIEWER',
    });
  });

  test('expires only at its deadline and only while open', () => {
    expect(isConsentRequestDue(request(), days(29.9))).toBe(false);
    expect(expireConsentRequest(request(), days(29.9))).toMatchObject({ ok: false, code: 'NOT_DUE' });
    const expired = ok(expireConsentRequest(request(), days(30)));
    expect(expired.state).toBe('expired');
    // The date is the deadline's in UTC, and says so.
    expect(closedMessage(expired)).toBe(
      `This consent request expired on ${expired.expiresAt.slice(0, 10)} (UTC) without a decision.`,
    );
    const declined = ok(declineConsentRequest(request(), adele, 'no', t0));
    expect(isConsentRequestDue(declined, days(31))).toBe(false);
    expect(expireConsentRequest(declined, days(31))).toMatchObject({ ok: false, code: 'NOT_OPEN' });
  });

  test('consent verified by Graph for a non-reviewer closes the request as approved', () => {
    expect(ok(closeVerifiedConsentRequest(request(), { id: 'user-1', name: 'Sam' }, t0))).toMatchObject({
      state: 'approved',
      handledBy: { name: 'Sam' },
    });
  });

  test('age in whole days, and reviewer roles by name whatever the case or spacing', () => {
    expect(consentRequestAgeDays(request(), days(2.5))).toBe(2);
    expect(reviewerRoleByName('cloud application  administrator')?.id).toBe(
      '158c047a-c907-4556-b7ef-446551a6b5f7',
    );
    expect(reviewerRoleByName('SharePoint Administrator')).toBeUndefined();
  });
});
