import { MessageFactory, type Activity, type ConversationReference } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import { deauthorizedNoticeCard, expiryDigestCard } from '../cards/noticeCards';
import { askOwnerText, digestView } from './digestView';
import { deauthorizedView } from './deauthorizedView';
import { renderCard } from '../cards/render';
import { clockStart, daysUntilExpiry, type Connector } from '../connectors/connector';
import type { ActorRef, ConnectorLifecycle, DeauthorizationListener } from '../connectors/lifecycle';
import type { Config } from '../config/config';
import {
  expireConsentRequest,
  isConsentRequestDue,
  supersedeConsentRequest,
  withdrawConsentRequest,
  type ConsentRequest,
} from '../connectors/consentRequest';
import {
  ConcurrencyError,
  type ConversationRecord,
  type NoticeKey,
  type SentNotice,
  type Store,
  type Subscription,
} from '../connectors/ports';
import { DAY_MS, type Clock } from '../util/clock';
import { UTC_DATES } from '../util/dates';
import { GroupCommit } from '../util/groupCommit';
import { Handoff } from './handoff';
import type { Logger } from '../util/logger';
import type { ProactiveSender } from './proactiveSender';
import { realTiming, type Timing } from './rateLimiter';
import { Telemetry } from '../telemetry/telemetry';
import { DEAUTHORIZED_THRESHOLD, dueThreshold } from './thresholds';

/**
 * Digests in flight at once for a global rate of `notifyRps`: enough to keep the limiter busy
 * while some wait out a Retry-After or a slow store.
 */
export function scanConcurrency(notifyRps: number): number {
  return Math.min(64, Math.max(8, Math.ceil(notifyRps)));
}

/** Most connectors one digest card lists with actions; Teams limits a card to about 28 KB. */
export const DIGEST_MAX_ROWS = 15;

/** What a scan did, for the log and the API's answer. */
export interface ScanReport {
  startedAt: string;
  finishedAt: string;
  connectorsChecked: number;
  deauthorized: number;
  noticesDue: number;
  /** Notices delivered in this scan. */
  sent: number;
  /** Notices already sent or held by another scanner, and snoozed thresholds. */
  skipped: number;
  /** Send attempts repeated after a 429, 5xx or network error. */
  retried: number;
  /** Notices left for the next scan after their send failed. */
  failed: number;
  targets: number;
  subscriptionsEnded: number;
  /** Consent reminders sent (to the admin after the first delay, to the requester after the second). */
  consentReminders: number;
  /** Consent requests that reached CONSENT_REQUEST_DAYS without a decision and were closed as expired. */
  consentExpired: number;
}

/** Where a notice goes: a subscribed conversation, or a creator's 1:1 chat. */
interface Target {
  key: string;
  tenantId: string;
  reference: Partial<ConversationReference>;
  /** Set for subscriptions, which end when the bot is gone from the conversation. */
  subscriptionConversationId?: string;
}

interface DueNotice {
  connector: Connector;
  threshold: number;
  periodStart: string;
  daysLeft: number;
  /** A deauthorization notice's targets still to be heard from in this scan. */
  announcement?: Announcement;
}

/**
 * Where a deauthorization notice stands in a scan: once every target has answered, the
 * connector leaves the expiry index, unless one of them is still owed the notice (its send
 * failed, or another scanner holds it), when the next scan tries that one again.
 */
interface Announcement {
  targetsLeft: number;
  owed: boolean;
}

/**
 * How long the scan keeps retrying a deauthorization notice that a target has not taken, from
 * the deauthorization: a conversation that fails for a week is broken, not busy, and the
 * connector's own status says it is deauthorized wherever someone looks.
 */
export const ANNOUNCEMENT_RETRY_DAYS = 7;

/** A target and its notices, as the scan hands them to a worker. */
interface DueTarget {
  target: Target;
  notices: DueNotice[];
}

/**
 * Connectors a scan reads before it hands their targets on (whole tenants, so a slice may hold
 * more): enough that a slice's snoozes and subscriptions take a few requests, not one a tenant.
 * Small enough that the next slice is read while the last targets of this one are delivered
 * (the reader waits only for room in the handoff): on Azure, reading and delivering each wait
 * on the storage service, and a slice of 500 left the workers idle while it was read. The
 * stores give tenants in key order, so a slice's tenants are one short range of the
 * subscriptions and snoozes, and smaller slices read no row twice.
 */
const SLICE_CONNECTORS = 100;

/**
 * Connectors whose records the store may read before their tenant's turn (see
 * ConnectorStore.expiringByTenant): on Azure each is a round trip, and most tenants of a scan
 * have one due connector, so reading them one tenant at a time left both the scanner and the
 * storage service waiting on each other. A few dozen records of heap.
 */
const READ_AHEAD = 64;

/**
 * How old what the expiry listing itself found may be when a tenant's turn comes, for the store
 * to give it instead of reading the tenant's records (see ConnectorStore.expiringByTenant): on
 * Azure each record read is a round trip, most of a scan's requests. A record read ahead is
 * already several seconds old when its notice goes out at NOTIFY_RPS 30 (READ_AHEAD and a slice
 * of notices ahead of the workers), so this keeps staleness of that order; past it, records are
 * read at their turn as before.
 */
const LISTING_MAX_AGE_MS = 5_000;

/**
 * How long a person's turn waits for a deauthorization notice: well inside the time Teams gives an
 * invoke, so a click is answered even when the notice is slowed by pacing or 429s.
 */
export const ANNOUNCE_BUDGET_MS = 4_000;

export interface ScannerDeps {
  config: Config;
  store: Store;
  lifecycle: ConnectorLifecycle;
  sender: ProactiveSender;
  clock: Clock;
  logger: Logger;
  /** How long a claim protects a notice before another process may take it over. */
  leaseMs?: number;
  /** Waits between attempts to record a sent notice (tests cut them short). */
  timing?: Timing;
  /**
   * How long a turn (or API call) that deauthorized a connector waits for its notice before going
   * on without it (the sends continue); ANNOUNCE_BUDGET_MS by default.
   */
  announceBudgetMs?: number;
  /** Targets sent to at once; the rate limiter keeps Teams' limits whatever this is. */
  concurrency?: number;
  /** Cards of the consent reminders (built by the bot layer); without them no reminder is sent. */
  consentReminders?: ConsentReminderCards;
  /** The scan's span, duration and connectors checked; the registered (by default no-op) providers otherwise. */
  telemetry?: Telemetry;
  /**
   * Who may manage these connectors, as Teams user ids (`29:…`) for a card's `refresh.userIds` (at most
   * 60): their clients fetch the view with buttons; everyone else keeps the read-only card.
   * Undefined when anyone of the tenant may manage one of them: the card then names nobody and
   * Teams refreshes it for every member of a conversation of at most 60. Without this function
   * a digest in a channel refreshes for nobody automatically.
   */
  managerIds?(tenantId: string, connectors: Connector[]): Promise<string[] | undefined>;
}

/** The verb of an expiry digest's refresh (served in src/bot/features/liveCards). */
export const DIGEST_REFRESH_VERB = 'expiryDigestView';

/** The verb of a deauthorization notice's refresh. */
export const NOTICE_REFRESH_VERB = 'deauthorizedNoticeView';

/**
 * The reminders of an unanswered consent request (one to each reviewer, then one to the
 * requester), and what an expired request does in Teams (built by the bot layer).
 */
export interface ConsentReminderCards {
  toAdmin(connector: Connector, request?: ConsentRequest): Partial<Activity>;
  toRequester(connector: Connector, request?: ConsentRequest): Partial<Activity>;
  /**
   * Tells the requester that the request expired and turns the reviewers' cards to "expired";
   * false when the requester could not be reached (the expiry is retried by the next scan).
   */
  expired(request: ConsentRequest): Promise<boolean>;
  /**
   * Asks Microsoft Graph for the consent before a reminder or an expiry goes out: a global admin
   * may have granted it in the Azure portal without telling the bot. True when Graph confirms it
   * (then it is recorded, the request closed and the requester told): nothing is sent. False when
   * it is not there or could not be checked.
   */
  verifiedFirst?(connector: Connector): Promise<boolean>;
}

/** One consent reminder a scan may send: to a reviewer, or to the requester. */
interface ConsentReminder {
  threshold: number;
  due: boolean;
  reference?: Partial<ConversationReference>;
  target: string;
  card: () => Partial<Activity>;
  reason: string;
}

/** Ledger thresholds of the two consent reminders (negative, so they never meet an expiry threshold). */
export const ADMIN_REMINDER_THRESHOLD = -1;
export const REQUESTER_REMINDER_THRESHOLD = -2;
/** Ledger threshold of a consent request's expiry (target `request:<id>`). */
export const CONSENT_EXPIRED_THRESHOLD = -3;

const SCANNER_ACTOR = { id: 'scanner', name: 'expiry scanner' };

/**
 * Attempts to record notices as sent, and the wait before the second (doubled each time): a
 * notice that went out but is not marked is sent again once its claim's lease ends.
 */
const MARK_ATTEMPTS = 4;
const MARK_BACKOFF_MS = 200;

function subscriptionTarget(s: Subscription): Target {
  return {
    key: `conversation:${s.conversationId}`,
    tenantId: s.tenantId,
    reference: s.reference,
    subscriptionConversationId: s.conversationId,
  };
}

/**
 * The expiry scanner: finds connectors near or past their inactivity limit through the expiry
 * index, deauthorizes the expired ones, and sends each target one digest per scan. Every notice
 * is claimed in the ledger before it is sent and marked after, so a rerun, a restart or a
 * second process never repeats one, and a dead process's claim is taken over after the lease.
 */
export class ExpiryScanner implements DeauthorizationListener {
  /** Names this process in the ledger's claims. */
  readonly claimant = `scanner-${randomUUID()}`;

  /**
   * Claims and "sent" marks of the digests in flight, written together (group commit): the
   * ledger takes the notices of many tenants in one write, so concurrent digests share writes
   * instead of making one each. A digest still waits for its own claim before it is sent and
   * for its own mark before its worker takes the next target.
   */
  private readonly claims: GroupCommit<NoticeKey, boolean>;
  private readonly marks: GroupCommit<SentNotice>;

  constructor(private readonly deps: ScannerDeps) {
    const { store, clock } = deps;
    const leaseMs = deps.leaseMs ?? 10 * 60 * 1000;
    this.claims = new GroupCommit((keys) =>
      store.notices.claimAll(keys, this.claimant, clock.now(), leaseMs),
    );
    this.marks = new GroupCommit((sent) => store.notices.markAllSent(sent, this.claimant, clock.now()));
  }

  private inFlight?: Promise<ScanReport>;

  /**
   * Runs one scan; a call while one is running (the cron and POST /api/v1/scan together) shares
   * it instead of starting a second pass over the same notices in this process.
   */
  scan(): Promise<ScanReport> {
    this.inFlight ??= this.measuredScan().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The scan inside its span, so the sends it makes are the span's children. */
  private measuredScan(): Promise<ScanReport> {
    const telemetry = this.deps.telemetry ?? Telemetry.fromGlobals();
    return telemetry.inSpan('scan', {}, async (span) => {
      const started = performance.now();
      const report = await this.runScan();
      telemetry.recordScan(performance.now() - started, report.connectorsChecked);
      span.setAttributes({
        'concierge.scan.connectors_checked': report.connectorsChecked,
        'concierge.scan.sent': report.sent,
        'concierge.scan.failed': report.failed,
      });
      return report;
    });
  }

  private emptyReport(): ScanReport {
    return {
      startedAt: this.deps.clock.now().toISOString(),
      finishedAt: '',
      connectorsChecked: 0,
      deauthorized: 0,
      noticesDue: 0,
      sent: 0,
      skipped: 0,
      retried: 0,
      failed: 0,
      targets: 0,
      subscriptionsEnded: 0,
      consentReminders: 0,
      consentExpired: 0,
    };
  }

  private async runScan(): Promise<ScanReport> {
    const { clock, logger } = this.deps;
    const now = clock.now();
    const report = this.emptyReport();
    const concurrency = Math.max(1, this.deps.concurrency ?? 8);
    // Reading runs ahead of sending by at most a slice and this many targets: a target's notices
    // (its connectors are most of the scan's heap) are read shortly before its digest goes out
    // and are garbage once it has, so the heap holds a few tenants' connectors, not every one.
    const handoff = new Handoff<DueTarget>(concurrency);
    let done = 0;
    const worker = async () => {
      try {
        for (let next = await handoff.take(); next; next = await handoff.take()) {
          const owed = await this.deliver(next.target, next.notices, report);
          for (const notice of next.notices) await this.targetAnswered(notice, owed.has(notice));
          done += 1;
          if (done % 100 === 0)
            logger.info('expiry scan: progress', { targetsDone: done, sent: report.sent });
        }
      } catch (err) {
        handoff.fail(err);
        throw err;
      }
    };
    const workers = Array.from({ length: concurrency }, worker);
    const reading = this.readDue(now, report, (due) => handoff.put(due)).finally(() => handoff.close());
    const outcomes = await Promise.allSettled([reading, ...workers]);
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    logger.info('expiry scan: notices due', {
      targets: report.targets,
      noticesDue: report.noticesDue,
      checked: report.connectorsChecked,
    });
    if (this.deps.consentReminders) {
      await this.expireConsentRequests(now, report);
      await this.remindConsent(now, report);
    }
    report.finishedAt = clock.now().toISOString();
    logger.info('expiry scan finished', { ...report });
    return report;
  }

  /**
   * Announces a deauthorization someone other than the scan made (a listing, `status`, an API
   * import or read) to the tenant's notice targets now, through the same ledger keys as the scan
   * (threshold 0, the clock's period), so the scan never repeats it. The scan announces its own
   * deauthorizations in its digest pass. Never throws: the person's command goes on regardless.
   */
  async deauthorized(connector: Connector, actor: ActorRef): Promise<boolean> {
    if (actor.id === SCANNER_ACTOR.id) return false;
    // A person's click or command (or an API call) waits for the notice only so long: sends paced
    // for Teams' limits, or waiting out 429s, would outlast the invoke. Past the budget the sends
    // go on; the connector stays owed its notice, and the next scan finishes (the ledger keeps
    // each target to one notice) and takes it out of the index.
    const announcing = this.announceDeauthorization(connector, actor);
    let timer: NodeJS.Timeout | undefined;
    const budgetMs = this.deps.announceBudgetMs ?? ANNOUNCE_BUDGET_MS;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), budgetMs);
    });
    const result = await Promise.race([announcing, late]);
    clearTimeout(timer);
    if (result !== 'late') return result;
    this.deps.logger.info('deauthorization notice still sending after the turn’s budget; it goes on', {
      connectorId: connector.id,
      budgetMs,
    });
    return false;
  }

  /** Sends the deauthorization notice to each target; true when none is owed it any more. Never rejects. */
  private async announceDeauthorization(connector: Connector, actor: ActorRef): Promise<boolean> {
    const periodStart = clockStart(connector)?.toISOString();
    if (!periodStart) return true;
    const report = this.emptyReport();
    try {
      const targets = await this.targetsFor(connector, new Map(), new Map());
      const notice: DueNotice = { connector, threshold: DEAUTHORIZED_THRESHOLD, periodStart, daysLeft: 0 };
      let owed = 0;
      for (const target of targets) owed += (await this.deliver(target, [notice], report)).size;
      this.deps.logger.info('deauthorization announced', {
        connectorId: connector.id,
        noticedBy: actor.id,
        targets: targets.length,
        sent: report.sent,
        failed: report.failed,
        owed,
      });
      return owed === 0;
    } catch (err) {
      this.deps.logger.error('deauthorization not announced; left for the next scan', {
        connectorId: connector.id,
        error: err,
      });
      return false;
    }
  }

  /**
   * Reads the notices due, tenant by tenant from the expiry index, and hands each target its
   * notices. Tenants are gathered into slices of about {@link SLICE_CONNECTORS} connectors whose
   * snoozes and subscriptions are read together (once per tenant and scan, a few requests a slice).
   */
  private async readDue(now: Date, report: ScanReport, hand: (due: DueTarget) => Promise<void>) {
    const { config, lifecycle } = this.deps;
    const horizon = new Date(
      now.getTime() - (config.inactivityDays - Math.max(...config.expiryNoticeDays)) * DAY_MS,
    );
    let slice: DueNotice[] = [];
    for await (const tenant of lifecycle.expiringByTenant(horizon, {
      readAhead: READ_AHEAD,
      maxAgeMs: LISTING_MAX_AGE_MS,
    })) {
      for (const connector of tenant.connectors) {
        const notice = await this.dueNotice(connector, now, report);
        if (notice) slice.push(notice);
      }
      if (slice.length >= SLICE_CONNECTORS) {
        const full = slice;
        slice = [];
        await this.handSlice(full, report, hand);
      }
    }
    if (slice.length > 0) await this.handSlice(slice, report, hand);
  }

  /** The notice a connector from the index is due, if any; an expired one is deauthorized first. */
  private async dueNotice(
    connector: Connector,
    now: Date,
    report: ScanReport,
  ): Promise<DueNotice | undefined> {
    const { config, lifecycle } = this.deps;
    report.connectorsChecked += 1;
    const periodStart = clockStart(connector)?.toISOString();
    if (!periodStart) return undefined;
    // Deauthorized earlier, and its notice is still owed somewhere (a send failed).
    if (connector.status === 'deauthorized') return this.owedNotice(connector, periodStart, now);
    if (lifecycle.isExpired(connector, now)) {
      const updated = await lifecycle.deauthorizeIfExpired(connector, SCANNER_ACTOR);
      // A transfer recorded (or a delete) between the read and the write won: it is not
      // deauthorized, and a notice saying so would be false.
      if (updated.status !== 'deauthorized') return undefined;
      report.deauthorized += 1;
      return { connector: updated, threshold: DEAUTHORIZED_THRESHOLD, periodStart, daysLeft: 0 };
    }
    const daysLeft = daysUntilExpiry(connector, config.inactivityDays, now) ?? 0;
    const threshold = dueThreshold(daysLeft, config.expiryNoticeDays);
    return threshold === undefined ? undefined : { connector, threshold, periodStart, daysLeft };
  }

  /**
   * The deauthorization notice of a connector an earlier scan (or a listing) deauthorized but
   * could not announce everywhere: sent again to the targets still owed it (the ledger skips the
   * rest). Given up after {@link ANNOUNCEMENT_RETRY_DAYS}, with a log line and an audit entry.
   */
  private async owedNotice(
    connector: Connector,
    periodStart: string,
    now: Date,
  ): Promise<DueNotice | undefined> {
    const since = Date.parse(connector.announcementDueSince ?? '');
    if (Number.isNaN(since) || now.getTime() - since < ANNOUNCEMENT_RETRY_DAYS * DAY_MS)
      return { connector, threshold: DEAUTHORIZED_THRESHOLD, periodStart, daysLeft: 0 };
    this.deps.logger.warn('deauthorization notice given up: a target did not take it', {
      tenantId: connector.tenantId,
      connectorId: connector.id,
      deauthorizedAt: connector.announcementDueSince,
      days: ANNOUNCEMENT_RETRY_DAYS,
    });
    await this.deps.lifecycle.audit(connector, SCANNER_ACTOR, 'notice.given-up', {
      threshold: DEAUTHORIZED_THRESHOLD,
      reason: `not delivered to every target within ${ANNOUNCEMENT_RETRY_DAYS} days`,
    });
    await this.deps.lifecycle.recordAnnounced(connector);
    return undefined;
  }

  /**
   * One target has answered for a notice; once all of a deauthorization notice's targets have
   * and none is still owed it, the connector leaves the expiry index. A failure to write that is
   * logged: the next scan finds every target's notice sent and tries again.
   */
  private async targetAnswered(notice: DueNotice, owed: boolean): Promise<void> {
    const announcement = notice.announcement;
    if (!announcement) return;
    announcement.targetsLeft -= 1;
    announcement.owed ||= owed;
    if (announcement.targetsLeft === 0 && !announcement.owed) await this.announced(notice.connector);
  }

  private async announced(connector: Connector): Promise<void> {
    try {
      await this.deps.lifecycle.recordAnnounced(connector);
    } catch (err) {
      this.deps.logger.warn('deauthorization announced, but not recorded; the next scan checks again', {
        tenantId: connector.tenantId,
        connectorId: connector.id,
        error: err,
      });
    }
  }

  /**
   * The notices of whole tenants, by target: snoozes and subscriptions of the slice's tenants
   * are read together, then each target is handed its notices (all of its tenant's).
   */
  private async handSlice(
    found: DueNotice[],
    report: ScanReport,
    hand: (due: DueTarget) => Promise<void>,
  ): Promise<void> {
    const { store } = this.deps;
    // A deauthorization is announced whatever was snoozed: snoozes hold back expiry thresholds.
    const expiring = found.filter((n) => n.threshold !== DEAUTHORIZED_THRESHOLD);
    // Both reads at once: the reader hands nothing on until they are back, and on Azure each is a
    // round trip. The slice's tenants are one key range, so a tenant whose notices are all
    // snoozed costs no request of its own.
    const [snoozed, subscriptions] = await Promise.all([
      store.notices.areSnoozed(
        expiring.map((n) => ({
          tenantId: n.connector.tenantId,
          connectorId: n.connector.id,
          periodStart: n.periodStart,
          threshold: n.threshold,
        })),
      ),
      store.subscriptions.listByTenants([...new Set(found.map((n) => n.connector.tenantId))]),
    ]);
    const held = new Set(expiring.filter((_, i) => snoozed[i]));
    report.skipped += held.size;
    const notices = found.filter((n) => !held.has(n));
    const tenants = [...new Set(notices.map((n) => n.connector.tenantId))];
    const subscriptionCache = new Map<string, Target[]>();
    for (const tenantId of tenants)
      subscriptionCache.set(tenantId, (subscriptions.get(tenantId) ?? []).map(subscriptionTarget));
    const personalCache = new Map<string, ConversationRecord | undefined>();
    const due = new Map<string, DueTarget>();
    for (const notice of notices) {
      const targets = await this.targetsFor(notice.connector, subscriptionCache, personalCache);
      if (notice.threshold === DEAUTHORIZED_THRESHOLD) {
        // Nobody to tell (no subscription, no reachable creator): nothing is owed.
        if (targets.length === 0) await this.announced(notice.connector);
        else notice.announcement = { targetsLeft: targets.length, owed: false };
      }
      for (const target of targets) {
        report.noticesDue += 1;
        const entry = due.get(target.key) ?? { target, notices: [] };
        entry.notices.push(notice);
        due.set(target.key, entry);
      }
    }
    report.targets += due.size;
    // Handed one by one and forgotten here, so a delivered target's notices can be collected.
    for (const key of [...due.keys()]) {
      const entry = due.get(key)!;
      due.delete(key);
      await hand(entry);
    }
  }

  /** The creator's 1:1 chat unless they opted out; looked up once per person and scan. */
  private async personalChatOf(
    tenantId: string,
    userId: string,
    cache: Map<string, ConversationRecord | undefined>,
  ): Promise<ConversationRecord | undefined> {
    const key = `${tenantId}/${userId}`;
    if (!cache.has(key)) {
      const optedOut = await this.deps.store.subscriptions.isPersonalOptOut(tenantId, userId);
      cache.set(
        key,
        optedOut ? undefined : await this.deps.store.conversations.findPersonal(tenantId, userId),
      );
    }
    return cache.get(key);
  }

  private async targetsFor(
    connector: Connector,
    cache: Map<string, Target[]>,
    personalCache: Map<string, ConversationRecord | undefined>,
  ): Promise<Target[]> {
    const { store } = this.deps;
    let subscribed = cache.get(connector.tenantId);
    if (!subscribed) {
      subscribed = (await store.subscriptions.listByTenant(connector.tenantId)).map(subscriptionTarget);
      cache.set(connector.tenantId, subscribed);
    }
    const targets = [...subscribed];
    const personal = connector.createdBy
      ? await this.personalChatOf(connector.tenantId, connector.createdBy, personalCache)
      : undefined;
    if (connector.createdBy && personal) {
      if (!targets.some((t) => t.key === `conversation:${personal.conversationId}`)) {
        targets.push({
          key: `person:${connector.createdBy}`,
          tenantId: connector.tenantId,
          reference: personal.reference,
        });
      }
    }
    return targets;
  }

  /**
   * Sends a target its claimed notices. Returns the deauthorization notices this target is still
   * owed: its send failed, or another scanner holds the claim (what happens there is not known
   * here). A notice already sent, or a target the bot has left, owes nothing.
   */
  private async deliver(target: Target, notices: DueNotice[], report: ScanReport): Promise<Set<DueNotice>> {
    const { store, clock, logger } = this.deps;
    const keyOf = (n: DueNotice): NoticeKey => ({
      tenantId: n.connector.tenantId,
      connectorId: n.connector.id,
      periodStart: n.periodStart,
      threshold: n.threshold,
      target: target.key,
    });
    const owed = new Set<DueNotice>();
    const answers = await this.claims.add(notices.map(keyOf));
    const claimed = notices.filter((_, i) => answers[i]);
    report.skipped += notices.length - claimed.length;
    for (const [i, notice] of notices.entries()) {
      if (answers[i] || notice.threshold !== DEAUTHORIZED_THRESHOLD) continue;
      if ((await store.notices.state(keyOf(notice))) !== 'sent') owed.add(notice);
    }
    if (claimed.length === 0) return owed;

    const batches: DueNotice[][] = [];
    const expiring = claimed
      .filter((n) => n.threshold !== DEAUTHORIZED_THRESHOLD)
      .sort((a, b) => a.daysLeft - b.daysLeft);
    if (expiring.length > 0) batches.push(expiring);
    for (const gone of claimed.filter((n) => n.threshold === DEAUTHORIZED_THRESHOLD)) batches.push([gone]);

    for (const batch of batches) {
      // Built once the send is admitted, not while it waits behind the others.
      const outcome = await this.deps.sender.send(target.reference, () => this.cardFor(batch, target));
      report.retried += outcome.retried;
      if (outcome.status === 'sent') {
        const at = clock.now();
        await this.recordSent(
          target,
          batch.map((notice) => ({
            key: keyOf(notice),
            audit: {
              tenantId: notice.connector.tenantId,
              connectorId: notice.connector.id,
              at: at.toISOString(),
              actor: SCANNER_ACTOR.id,
              actorName: SCANNER_ACTOR.name,
              action: 'notice.sent',
              detail: { target: target.key, threshold: notice.threshold },
            },
          })),
        );
        report.sent += batch.length;
        continue;
      }
      for (const notice of batch) await store.notices.release(keyOf(notice), this.claimant);
      if (outcome.status === 'gone') {
        await this.endTarget(target, outcome.error ?? 'gone');
        report.subscriptionsEnded += target.subscriptionConversationId ? 1 : 0;
        return owed;
      }
      report.failed += batch.length;
      for (const notice of batch) if (notice.threshold === DEAUTHORIZED_THRESHOLD) owed.add(notice);
      logger.warn('expiry notice not delivered; left for the next scan', {
        target: target.key,
        notices: batch.length,
        error: outcome.error,
      });
    }
    return owed;
  }

  /**
   * Marks notices that went out as sent, retried through a storage blip. If every attempt fails,
   * the keys are logged: the notices were delivered, so the scan goes on, but the next scan after
   * the lease may send them again.
   */
  private async recordSent(target: Target, sent: SentNotice[]): Promise<void> {
    const timing = this.deps.timing ?? realTiming;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.marks.add(sent);
        return;
      } catch (error) {
        if (attempt >= MARK_ATTEMPTS) {
          this.deps.logger.error('notices sent but not recorded as sent; they may be sent again', {
            target: target.key,
            keys: sent.map(({ key }) => `${key.connectorId}|${key.periodStart}|${key.threshold}`),
            attempts: attempt,
            error,
          });
          return;
        }
        this.deps.logger.warn('recording sent notices failed; retrying', {
          target: target.key,
          attempt,
          error,
        });
        await timing.sleep(MARK_BACKOFF_MS * 2 ** (attempt - 1));
      }
    }
  }

  /**
   * Consent requests nobody answered: after CONSENT_REMINDER_HOURS[0] the global admin is
   * reminded (in their 1:1 chat), after [1] the requester (where the wizard ran); once each,
   * through the same ledger as the expiry notices.
   */
  private async remindConsent(now: Date, report: ScanReport): Promise<void> {
    const { store } = this.deps;
    let cursor: string | undefined;
    do {
      const page = await this.deps.lifecycle.listAwaitingConsent({ limit: 500, cursor });
      cursor = page.next;
      for (const connector of page.items) {
        const consent = connector.consent;
        if (!consent?.requestedAt || consent.verifiedAt) continue;
        const age = now.getTime() - new Date(consent.requestedAt).getTime();
        const request = consent.requestId
          ? await store.consentRequests.get(connector.tenantId, consent.requestId)
          : undefined;
        // A request already decided or expired reminds nobody.
        if (request && request.state !== 'open') continue;
        const reminders = await this.consentReminders(connector, consent, request, age);
        const verified = this.onceVerifiedFirst(connector);
        for (const reminder of reminders)
          await this.sendConsentReminder(connector, consent.requestedAt, request, reminder, report, verified);
      }
    } while (cursor);
  }

  /** One reminder per reviewer (in their 1:1 chat), then one to the requester's conversation. */
  private async consentReminders(
    connector: Connector,
    consent: NonNullable<Connector['consent']>,
    request: ConsentRequest | undefined,
    age: number,
  ): Promise<ConsentReminder[]> {
    const { store, config } = this.deps;
    const cards = this.deps.consentReminders!;
    const [adminHours, requesterHours] = config.consentReminderHours;
    const reminders: ConsentReminder[] = [];
    const reviewerIds = request
      ? request.reviewers.flatMap((r) => (r.id ? [r.id] : []))
      : consent.requestedFromId
        ? [consent.requestedFromId]
        : [];
    for (const reviewerId of reviewerIds) {
      const personal = await store.conversations.findPersonal(connector.tenantId, reviewerId);
      reminders.push({
        threshold: ADMIN_REMINDER_THRESHOLD,
        due: age >= adminHours * 3_600_000,
        reference: personal?.reference,
        target: `person:${reviewerId}`,
        card: () => cards.toAdmin(connector, request),
        reason: `no decision ${adminHours} hours after the request`,
      });
    }
    if (consent.requesterConversationId) {
      const requester = await store.conversations.get(connector.tenantId, consent.requesterConversationId);
      reminders.push({
        threshold: REQUESTER_REMINDER_THRESHOLD,
        due: age >= requesterHours * 3_600_000,
        reference: requester?.reference,
        target: `conversation:${consent.requesterConversationId}`,
        card: () => cards.toRequester(connector, request),
        reason: `no decision ${requesterHours} hours after the request`,
      });
    }
    return reminders;
  }

  /**
   * Graph's answer on a connector's consent, asked at most once however many reminders are due:
   * only when a reminder is claimed (so about to go out), never for one already sent.
   */
  private onceVerifiedFirst(connector: Connector): () => Promise<boolean> {
    let answer: Promise<boolean> | undefined;
    return () => (answer ??= this.verifiedFirst(connector));
  }

  /** {@link ConsentReminderCards.verifiedFirst}; a failure is logged and counts as not verified. */
  private async verifiedFirst(connector: Connector): Promise<boolean> {
    try {
      return (await this.deps.consentReminders?.verifiedFirst?.(connector)) ?? false;
    } catch (err) {
      this.deps.logger.warn('consent not checked before a reminder or expiry', {
        tenantId: connector.tenantId,
        connectorId: connector.id,
        error: err,
      });
      return false;
    }
  }

  /**
   * Sends a reminder that is due, where its person or conversation is known: claimed in the
   * ledger, then (unless Graph shows the consent is already there) sent and audited; a failed
   * send frees the claim.
   */
  private async sendConsentReminder(
    connector: Connector,
    requestedAt: string,
    request: ConsentRequest | undefined,
    reminder: ConsentReminder,
    report: ScanReport,
    verified: () => Promise<boolean>,
  ): Promise<void> {
    if (!reminder.due || !reminder.reference) return;
    const { store, clock } = this.deps;
    const leaseMs = this.deps.leaseMs ?? 10 * 60 * 1000;
    const key: NoticeKey = {
      tenantId: connector.tenantId,
      connectorId: connector.id,
      periodStart: requestedAt,
      threshold: reminder.threshold,
      target: reminder.target,
    };
    if (!(await store.notices.claim(key, this.claimant, clock.now(), leaseMs))) return;
    if (await verified()) {
      // Granted after all: the connector left awaiting-consent, so no later scan reminds anyone.
      await store.notices.release(key, this.claimant);
      return;
    }
    const outcome = await this.deps.sender.send(reminder.reference, reminder.card());
    if (outcome.status === 'sent') {
      await store.notices.markSent(key, this.claimant, clock.now());
      await this.deps.lifecycle.audit(connector, SCANNER_ACTOR, 'consent.reminded', {
        target: reminder.target,
        requestId: request?.id,
        reason: reminder.reason,
      });
      report.consentReminders += 1;
    } else {
      await store.notices.release(key, this.claimant);
    }
  }

  /**
   * Open consent requests past CONSENT_REQUEST_DAYS: each is claimed in the notice ledger (so one
   * replica, once, across restarts), closed as expired, its connector set to consent-expired
   * (audited with the reason), the requester told and the reviewers' cards updated. A failure
   * before the request is written releases the claim, so the next scan tries again.
   */
  private async expireConsentRequests(now: Date, report: ScanReport): Promise<void> {
    const { store, clock, logger } = this.deps;
    const cards = this.deps.consentReminders!;
    const leaseMs = this.deps.leaseMs ?? 10 * 60 * 1000;
    const due: ConsentRequest[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.consentRequests.listOpen({ limit: 500, cursor });
      cursor = page.next;
      due.push(...page.items.filter((r) => isConsentRequestDue(r, now)));
    } while (cursor);
    for (const open of due) {
      const key: NoticeKey = {
        tenantId: open.tenantId,
        connectorId: open.connectorId,
        periodStart: open.createdAt,
        threshold: CONSENT_EXPIRED_THRESHOLD,
        target: `request:${open.id}`,
      };
      if (!(await store.notices.claim(key, this.claimant, clock.now(), leaseMs))) continue;
      try {
        // Granted in the Azure portal without a word to the bot: verified, not expired.
        const connector = await this.deps.lifecycle.get(open.tenantId, open.connectorId);
        if (connector?.status === 'awaiting-consent' && (await this.verifiedFirst(connector))) {
          await store.notices.release(key, this.claimant);
          continue;
        }
        // A request whose connector was deleted (and the delete could not close it) is withdrawn:
        // nobody is told it expired about a connector that is gone.
        if (!connector) {
          const withdrawn = withdrawConsentRequest(open, now);
          if (withdrawn.ok) await store.consentRequests.update(withdrawn.request);
          await store.notices.markSent(key, this.claimant, clock.now());
          logger.info('consent request withdrawn: its connector was deleted', { requestId: open.id });
          continue;
        }
        // A request its connector no longer waits on (handed over again before older requests
        // were closed as superseded) is closed so now: no "expired without a decision" news.
        if (connector.consent?.requestId !== open.id) {
          const replaced = supersedeConsentRequest(open, connector.consent?.requestId ?? 'none yet', now);
          if (replaced.ok) await store.consentRequests.update(replaced.request);
          await store.notices.markSent(key, this.claimant, clock.now());
          logger.info('consent request closed as superseded instead of expired', { requestId: open.id });
          continue;
        }
        const moved = expireConsentRequest(open, now);
        if (!moved.ok) {
          await store.notices.release(key, this.claimant);
          continue;
        }
        let expired: ConsentRequest;
        try {
          expired = await store.consentRequests.update(moved.request);
        } catch (err) {
          // Decided at the same moment: the decision stands, and nothing expires.
          await store.notices.release(key, this.claimant);
          if (err instanceof ConcurrencyError) continue;
          throw err;
        }
        await this.deps.lifecycle.recordConsentClosed(
          expired.tenantId,
          expired.connectorId,
          'consent-expired',
          SCANNER_ACTOR,
          {
            requestId: expired.id,
            reason: `no reviewer decided within ${this.deps.config.consentRequestDays} days`,
          },
        );
        report.consentExpired += 1;
        // The request is closed either way; a requester who cannot be reached sees it in `status`.
        if (!(await cards.expired(expired)))
          logger.warn('requester not told that their consent request expired', { requestId: expired.id });
        await store.notices.markSent(key, this.claimant, clock.now());
      } catch (err) {
        await store.notices.release(key, this.claimant);
        logger.error('consent request expiry failed; left for the next scan', {
          requestId: open.id,
          error: err,
        });
      }
    }
  }

  /** The bot was removed from a subscribed conversation (403/404): the subscription ends, audited. */
  private async endTarget(target: Target, reason: string): Promise<void> {
    const { store, clock, logger } = this.deps;
    if (!target.subscriptionConversationId) {
      logger.info('personal chat unreachable; notice dropped for this person', {
        target: target.key,
        reason,
      });
      return;
    }
    await store.subscriptions.remove(target.tenantId, target.subscriptionConversationId);
    await store.audit.append({
      tenantId: target.tenantId,
      at: clock.now().toISOString(),
      actor: SCANNER_ACTOR.id,
      actorName: SCANNER_ACTOR.name,
      action: 'subscription.ended',
      detail: { conversationId: target.subscriptionConversationId, reason },
    });
    logger.info('subscription ended: the bot is no longer in the conversation', {
      conversationId: target.subscriptionConversationId,
      reason,
    });
  }

  /** The card's `refresh.userIds`: nobody without {@link ScannerDeps.managerIds}. */
  private async refreshUsers(tenantId: string, connectors: Connector[]): Promise<string[] | undefined> {
    return this.deps.managerIds ? this.deps.managerIds(tenantId, connectors) : [];
  }

  private async cardFor(batch: DueNotice[], target: Target) {
    const { config } = this.deps;
    const first = batch[0];
    // A personal chat is its creator's: the card they get is theirs to act on. In a channel the
    // posted card is the read-only one; managers' clients refresh it into the view with buttons.
    const personal = !target.subscriptionConversationId;
    const adminGroupSet = !!config.adminGroupId;
    if (first.threshold === DEAUTHORIZED_THRESHOLD) {
      const c = first.connector;
      return MessageFactory.attachment(
        renderCard(
          deauthorizedNoticeCard,
          deauthorizedView(c.id, c, undefined, {
            inactivityDays: config.inactivityDays,
            now: this.deps.clock.now(),
            dates: UTC_DATES,
            canManage: personal,
            owner: askOwnerText(c, adminGroupSet),
            refresh: {
              verb: NOTICE_REFRESH_VERB,
              userIds: await this.refreshUsers(target.tenantId, [c]),
            },
            refreshed: false,
          }),
          { once: true },
        ),
      );
    }
    const shown = batch.slice(0, DIGEST_MAX_ROWS);
    const connectors = shown.map((n) => n.connector);
    const userIds = await this.refreshUsers(target.tenantId, connectors);
    return MessageFactory.attachment(
      renderCard(
        expiryDigestCard,
        digestView(
          shown.map((n) => ({
            id: n.connector.id,
            periodStart: n.periodStart,
            threshold: n.threshold,
            connector: n.connector,
          })),
          {
            inactivityDays: config.inactivityDays,
            noticeDays: config.expiryNoticeDays,
            now: this.deps.clock.now(),
            dates: UTC_DATES,
            viewer: {
              canManage: () => personal,
              owner: (c) => askOwnerText(c, adminGroupSet),
            },
            refresh: { verb: DIGEST_REFRESH_VERB, userIds },
            hidden: batch.length - shown.length,
            refreshed: false,
          },
        ),
        { once: true },
      ),
    );
  }
}
