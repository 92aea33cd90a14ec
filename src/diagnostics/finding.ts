import { connectorAppAmong, type CloudName, type ConnectorApp } from '../config/config';
import type { Connector } from '../connectors/connector';
import type { GraphGateway } from '../graph/graphGateway';
import type { DateFormatter } from '../util/dates';
import type { ConsentWorkflowReading } from './consentWorkflow';

/** Where a check stands: its result, or that it is still running or could not run at all. */
export type FindingStatus = 'pass' | 'warn' | 'fail' | 'could-not-run' | 'pending';

/** The users a PowerShell provisioning script is for (see provisioningScript). */
export interface ScriptRequest {
  /** https://contoso-admin.sharepoint.com, or a placeholder when the tenant's domain is unknown. */
  adminUrl: string;
  /** The first users to provision (at most the check's limit), in directory order. */
  userEmails: string[];
  /** How many users need it in all (may exceed userEmails). */
  total: number;
}

/** One row of the diagnostics card: what a check found and how to fix it. */
export interface Finding {
  id: string;
  title: string;
  status: FindingStatus;
  /** What was found, in a sentence or two fit for an admin. */
  found: string;
  /** How to fix it ('' when there is nothing to do). For a pass, an optional tip. */
  fix: string;
  /** Extra facts shown under the finding, e.g. the permission table. */
  details?: { title: string; value: string }[];
  /** A provisioning script to show with the finding. */
  script?: ScriptRequest;
  /** Pages to open (a portal's blade), shown as buttons: long URLs never go in the text. */
  links?: { title: string; url: string }[];
  /** The connector the row is about (the card offers to reauthorize it). */
  connector?: { id: string; displayName: string };
  /** How long the check took, for logs and the summary. */
  ms?: number;
}

/** Caps that keep a run bounded in time, memory and card size, whatever the tenant's size. */
export interface DiagnosticLimits {
  /** Checks running at the same time. */
  checkConcurrency: number;
  /** Licensed users whose OneDrive is checked before the user check stops. */
  maxUsersChecked: number;
  /** Unprovisioned users' names kept for the script (the count goes on). */
  maxListedUsers: number;
  /** OneDrive look-up batches ($batch of 20 users) at the same time. */
  driveConcurrency: number;
  /** Global admin accounts looked at. */
  maxAdminsChecked: number;
  /** Connectors with a row of their own; the rest are summed up in one row. */
  maxConnectorRows: number;
  /** The user check stops after this long and says how far it got. */
  userCheckBudgetMs: number;
}

export const DEFAULT_DIAGNOSTIC_LIMITS: DiagnosticLimits = {
  checkConcurrency: 3,
  // No cap by default: $batch checks 100,000 users well within the time budget.
  maxUsersChecked: Number.POSITIVE_INFINITY,
  maxListedUsers: 1_000,
  driveConcurrency: 4,
  maxAdminsChecked: 5,
  maxConnectorRows: 10,
  userCheckBudgetMs: 600_000,
};

/** Everything a check may read besides Graph; no Teams types. */
export interface DiagnosticContext {
  /** The connector app whose consent is checked (CONNECTOR_APP_ID). */
  connectorAppId?: string;
  /**
   * The bot's own app ids (MicrosoftAppId, GRAPH_CLIENT_ID): a connector app id equal to one of
   * them means CONNECTOR_APP_ID fell back to the bot, and the consent row says so.
   */
  botAppIds?: string[];
  /** Where a global admin grants consent (ADMIN_CONSENT_LINK). */
  adminConsentLink: string;
  /** The Microsoft cloud: picks the SharePoint admin host. */
  cloud: CloudName;
  inactivityDays: number;
  /** Days left at which the first expiry notice goes out: fewer is a warning. */
  firstNoticeDays: number;
  now: Date;
  /** How the asker reads dates (their time zone and locale, or UTC). */
  dates: DateFormatter;
  /** The person who asked. */
  asker: { aadObjectId?: string; name: string };
  /** The connectors in scope (all of the tenant's, or the one named). */
  connectors: Connector[];
  limits: DiagnosticLimits;
  /** Milliseconds on a monotonic clock, for time budgets. */
  elapsed: () => number;
  /**
   * Entra's admin consent workflow as read once for the turn (the status card may read it too);
   * without it the check reads Graph itself.
   */
  readConsentWorkflow?(): Promise<ConsentWorkflowReading>;
  /**
   * Given by the runner to a running check: what it has done so far, shown on its pending row
   * (a sentence of counts, no text from Graph).
   */
  progress?(found: string): void;
}

/** A check: reads Graph (or not) and says what it found. Throws GraphError when Graph fails. */
export interface DiagnosticCheck {
  id: string;
  title: string;
  /** True when it calls Microsoft Graph. */
  needsGraph: boolean;
  /** The application permissions it needs, named when Graph is not configured. */
  permissions?: string[];
  /** Settings besides Graph's that it needs and that are missing (e.g. CONNECTOR_APP_ID). */
  missingSettings?(ctx: DiagnosticContext): string[];
  /** Long checks are started first. */
  slow?: boolean;
  run(graph: GraphGateway, tenantId: string, ctx: DiagnosticContext): Promise<Finding>;
}

/** A row computed from the others once they are done (no Graph calls). */
export interface DerivedCheck {
  id: string;
  title: string;
  derive(findings: readonly Finding[], ctx: DiagnosticContext): Finding;
}

/** What a run does: its checks in card order, then the derived rows. */
export interface DiagnosticPlan {
  checks: DiagnosticCheck[];
  derived: DerivedCheck[];
}

/** The row of a check that has not finished yet. */
export function pendingFinding(check: { id: string; title: string }): Finding {
  return { id: check.id, title: check.title, status: 'pending', found: 'Checking…', fix: '' };
}

/** 1,234 */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 user", "2 users" */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** OData string literal: 'it''s' */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The connector app the checks may look at: none when CONNECTOR_APP_ID is unset or one of the
 * bot's own ids (only the admin consent row names the bot's app, so that the mistake shows).
 */
export function checkedConnectorApp(
  ctx: Pick<DiagnosticContext, 'connectorAppId' | 'botAppIds'>,
): ConnectorApp {
  return connectorAppAmong(ctx.connectorAppId, ctx.botAppIds ?? []);
}
