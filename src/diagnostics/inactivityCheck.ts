import { connectorType } from '../connectors/catalog';
import {
  clockStart,
  daysUntilExpiry,
  deauthorizedMessage,
  expiresAt,
  type Connector,
} from '../connectors/connector';
import { REAUTHORIZE_FIRST_STEP } from '../connectors/reauthorization';
import { DAY_MS } from '../util/clock';
import type { DateFormatter } from '../util/dates';
import { count, plural, type DiagnosticCheck, type DiagnosticContext, type Finding } from './finding';

/** Whole days from `from` to `now`. */
function daysSince(from: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - new Date(from).getTime()) / DAY_MS));
}

function lastTransferText(connector: Connector, now: Date, dates: DateFormatter): string {
  if (connector.lastTransferAt) {
    const days = daysSince(connector.lastTransferAt, now);
    return `Last transfer recorded here ${dates.dateTime(connector.lastTransferAt)}, ${days === 0 ? 'today' : `${plural(days, 'day')} ago`}.`;
  }
  const start = clockStart(connector);
  return start
    ? `No transfer yet; the clock started when it was authorized, ${dates.dateTime(start)}.`
    : 'No transfer yet, and it was never authorized.';
}

/** A consent request for it was declined or expired: it cannot transfer until consent is granted. */
function isConsentClosed(connector: Connector): boolean {
  return connector.status === 'consent-declined' || connector.status === 'consent-expired';
}

/** How pressing a connector is: lower first (deauthorized, then fewest days left). */
export function urgency(
  connector: Connector,
  ctx: Pick<DiagnosticContext, 'inactivityDays' | 'now'>,
): number {
  if (connector.status === 'deauthorized') return -1;
  if (connector.status === 'authorizing' || isConsentClosed(connector)) return 0;
  return daysUntilExpiry(connector, ctx.inactivityDays, ctx.now) ?? ctx.inactivityDays;
}

/** One connector's inactivity: days since its last transfer, and when (or that) it is deauthorized. */
export function connectorFinding(connector: Connector, ctx: DiagnosticContext): Finding {
  const base = {
    id: `connector:${connector.id}`,
    title: `${connector.displayName} (${connectorType(connector.type).name})`,
    connector: { id: connector.id, displayName: connector.displayName },
  };
  const rule = `It is deauthorized after ${ctx.inactivityDays} days without a transfer.`;
  const last = lastTransferText(connector, ctx.now, ctx.dates);
  if (connector.status === 'deauthorized') {
    const start = clockStart(connector);
    return {
      ...base,
      status: 'fail',
      found: `Deauthorized${start ? `: no transfer for ${plural(daysSince(start.toISOString(), ctx.now), 'day')}` : ''}. ${last} ${rule}`,
      fix: `${deauthorizedMessage(ctx.inactivityDays)} ${REAUTHORIZE_FIRST_STEP}`,
    };
  }
  if (connector.status === 'authorizing') {
    return {
      ...base,
      status: 'warn',
      found: `Its authorization did not finish. ${last}`,
      fix: `Reauthorize it to finish the authorization. ${REAUTHORIZE_FIRST_STEP}`,
    };
  }
  if (isConsentClosed(connector)) {
    return {
      ...base,
      status: 'fail',
      found: `${
        connector.status === 'consent-declined'
          ? 'A reviewer declined the admin consent request (as recorded when they decided).'
          : 'The admin consent request expired without a decision.'
      } Without admin consent the Office 365 Connector is not fully authorized (steps 6 to 9), so it cannot transfer. ${last}`,
      fix: 'A global admin must grant admin consent to the Office 365 Mover app: type status with its name and select Ask again to send them a new request, or type consents to see the requests.',
    };
  }
  const days = daysUntilExpiry(connector, ctx.inactivityDays, ctx.now);
  const expiry = expiresAt(connector, ctx.inactivityDays);
  const when =
    expiry && days !== undefined
      ? ` Deauthorized on ${ctx.dates.dateTime(expiry)} (${days === 0 ? 'today' : `${plural(days, 'day')} left`}) unless it transfers again.`
      : '';
  const consent =
    connector.status === 'awaiting-consent'
      ? ' It is waiting for a global admin to grant admin consent (see admin consent).'
      : '';
  const soon = days !== undefined && days < ctx.firstNoticeDays;
  return {
    ...base,
    status: soon || consent ? 'warn' : 'pass',
    found: `${last} ${rule}${when}${consent}`,
    fix: soon
      ? `Run a transfer and record it: Mover deauthorizes connectors that transfer no data for ${ctx.inactivityDays} days. This bot also counts from a reauthorization, but Mover's pages name transfers only.`
      : consent
        ? 'A global admin grants consent with the link they were sent; type status with its name to check.'
        : '',
  };
}

/** The connectors' rows: the most pressing ones each, the rest summed up in one row. */
export function connectorChecks(ctx: DiagnosticContext, scope: 'tenant' | 'connector'): DiagnosticCheck[] {
  const make = (id: string, title: string, finding: () => Finding): DiagnosticCheck => ({
    id,
    title,
    needsGraph: false,
    run: async () => finding(),
  });
  if (ctx.connectors.length === 0) {
    return [
      make('connectors', 'Connectors', () => ({
        id: 'connectors',
        title: 'Connectors',
        status: 'pass',
        found: 'This tenant has no connectors yet, so none can expire.',
        fix: 'Type connect to authorize one.',
      })),
    ];
  }
  const sorted = [...ctx.connectors].sort((a, b) => urgency(a, ctx) - urgency(b, ctx));
  const max = scope === 'connector' ? sorted.length : ctx.limits.maxConnectorRows;
  const shown = sorted.slice(0, max);
  const rest = sorted.slice(max);
  const checks = shown.map((c) =>
    make(`connector:${c.id}`, `${c.displayName} (${connectorType(c.type).name})`, () =>
      connectorFinding(c, ctx),
    ),
  );
  if (rest.length > 0) {
    const least = Math.min(...rest.map((c) => urgency(c, ctx)));
    const deauthorized = rest.filter((c) => c.status === 'deauthorized').length;
    const consentClosed = rest.filter(isConsentClosed).length;
    const unfinished = rest.filter((c) => c.status === 'authorizing').length;
    const problems = [
      deauthorized > 0
        ? `${count(deauthorized)} deauthorized after ${ctx.inactivityDays} days without a transfer`
        : '',
      consentClosed > 0 ? `${count(consentClosed)} whose admin consent request was declined or expired` : '',
      unfinished > 0 ? `${count(unfinished)} whose authorization did not finish` : '',
    ].filter(Boolean);
    checks.push(
      make('connectors-more', 'Other connectors', () => ({
        id: 'connectors-more',
        title: 'Other connectors',
        status:
          deauthorized + consentClosed > 0
            ? 'fail'
            : unfinished > 0 || least < ctx.firstNoticeDays
              ? 'warn'
              : 'pass',
        found:
          problems.length > 0
            ? `${plural(rest.length, 'more connector')}: ${problems.join('; ')}.`
            : `${plural(rest.length, 'more connector')}, each with at least ${plural(Math.max(0, least), 'day')} left before deauthorization.`,
        fix: `Type connectors to see them all (${count(ctx.connectors.length)} in this tenant)${problems.length > 0 ? ', and reauthorize those you still use (or, for consent, select Ask again on their status)' : ''}.`,
      })),
    );
  }
  return checks;
}
