import { codeLines } from './markdown';
import diagnosticsJson from './templates/diagnostics.json';
import type { Finding, FindingStatus } from '../diagnostics/finding';
import { provisioningScriptWithin } from '../diagnostics/provisioningScript';
import { bindCard, defineTemplate } from './render';
import type { TextColor } from './connectorsCards';

/** One finding on the card. */
export interface DiagnosticsRow {
  /** The finding's id (the row's element id). */
  id: string;
  title: string;
  statusLabel: string;
  statusColor: TextColor;
  found: string;
  /** "Fix", or "Tip" on a row that passed. */
  fixLabel: string;
  fix: string;
  details: { title: string; value: string }[];
  /** A PowerShell script shown as a code block, or ''. */
  script: string;
  scriptNote: string;
  buttons: { title: string; command: string; args: string }[];
  /** Pages to open in the browser (Action.OpenUrl). */
  links: { title: string; url: string }[];
}

export interface DiagnosticsCardData {
  title: string;
  summary: string;
  rows: DiagnosticsRow[];
  footer: string;
}

export const diagnosticsCard = defineTemplate<DiagnosticsCardData>('diagnostics', diagnosticsJson);

const STATUS: Record<FindingStatus, { label: string; color: TextColor }> = {
  pass: { label: '✓ Pass', color: 'Default' },
  warn: { label: '⚠ Warning', color: 'Default' },
  fail: { label: '✗ Fail', color: 'Attention' },
  'could-not-run': { label: '? Could not run', color: 'Accent' },
  pending: { label: '… Checking', color: 'Default' },
};

/**
 * Characters of script a card carries. A card must fit in Teams' 28 KB with every other row, so
 * the script lists as many users as fit here (about 200 typical addresses) and a note says how
 * many more there are.
 */
export const SCRIPT_CHAR_BUDGET = 9_000;

export interface DiagnosticsCardOptions {
  title: string;
  /** Whether names of users may be shown (the script); false in group chats and channels. */
  privateDetails: boolean;
  /** Set once every row is done: the summary counts them. */
  finishedAt?: string;
  /** Shown under the rows, e.g. that the run goes on in the background. */
  footer?: string;
}

function scriptFields(
  finding: Finding,
  privateDetails: boolean,
  scriptChars: number,
): { script: string; scriptNote: string } {
  const request = finding.script;
  if (!request || request.total === 0) return { script: '', scriptNote: '' };
  if (!privateDetails) {
    return {
      script: '',
      scriptNote:
        'The script names these users, so I show it only in our 1:1 chat: send me diagnose there to get it.',
    };
  }
  const { text, included } =
    scriptChars > 0
      ? provisioningScriptWithin(request.adminUrl, request.userEmails, scriptChars)
      : { text: '', included: 0 };
  const more = request.total - included;
  return {
    script: included > 0 ? codeLines(text) : '',
    scriptNote:
      included === 0
        ? `The script for these ${request.total.toLocaleString('en-US')} users does not fit on this card: type diagnose followed by the name of an Office 365 connector for a shorter card with the script.`
        : more > 0
          ? `This script covers ${included.toLocaleString('en-US')} of the ${request.total.toLocaleString('en-US')} users; run it, then type diagnose again for the next ones.`
          : '',
  };
}

/** One finding as a card row; a connector's row offers to reauthorize it. */
export function diagnosticsRow(
  finding: Finding,
  privateDetails: boolean,
  scriptChars = SCRIPT_CHAR_BUDGET,
): DiagnosticsRow {
  const status = STATUS[finding.status];
  return {
    id: finding.id,
    title: finding.title,
    statusLabel: status.label,
    statusColor: status.color,
    found: finding.found,
    fixLabel: finding.status === 'pass' ? 'Tip' : 'Fix',
    fix: finding.fix,
    details: finding.details ?? [],
    ...scriptFields(finding, privateDetails, scriptChars),
    buttons:
      finding.connector && finding.status !== 'pending'
        ? [{ title: 'Reauthorize', command: 'reauthorize', args: finding.connector.displayName }]
        : [],
    links: finding.status !== 'pending' ? (finding.links ?? []) : [],
  };
}

/** "3 passed, 1 warning, 2 failed, 1 could not run" */
export function summarize(findings: readonly Finding[]): string {
  const n = (status: FindingStatus) => findings.filter((f) => f.status === status).length;
  const parts = [
    `${n('pass')} passed`,
    `${n('warn')} warning${n('warn') === 1 ? '' : 's'}`,
    `${n('fail')} failed`,
    `${n('could-not-run')} could not run`,
  ];
  return parts.join(', ');
}

/** Bytes of card JSON aimed at, under Teams' 28 KB with room for the attachment around it. */
export const CARD_BYTES_BUDGET = 26 * 1024;

/** Smaller script budgets tried, in turn, when the card would be too large. */
const SCRIPT_FALLBACKS = [SCRIPT_CHAR_BUDGET, 4_500, 2_000, 0];

/** Longest found/fix text kept when even a card without a script is too large. */
const CLIPPED_TEXT = 400;

function clip(text: string): string {
  return text.length > CLIPPED_TEXT ? `${text.slice(0, CLIPPED_TEXT - 1)}…` : text;
}

/**
 * The diagnostics card's data for the rows as they stand. It always fits in a Teams message: a
 * card over {@link CARD_BYTES_BUDGET} gets a shorter script (its note says how many users are
 * left), and failing that shorter texts.
 */
export function diagnosticsCardData(
  findings: readonly Finding[],
  options: DiagnosticsCardOptions,
): DiagnosticsCardData {
  const pending = findings.filter((f) => f.status === 'pending').length;
  const summary =
    pending > 0
      ? `Running ${findings.length} checks: ${findings.length - pending} done, ${pending} to go.`
      : `${summarize(findings)}.${options.finishedAt ? ` Checked ${options.finishedAt}.` : ''}`;
  const build = (scriptChars: number, clipped: boolean): DiagnosticsCardData => ({
    title: options.title,
    summary,
    rows: findings.map((f) =>
      diagnosticsRow(
        clipped ? { ...f, found: clip(f.found), fix: clip(f.fix) } : f,
        options.privateDetails,
        scriptChars,
      ),
    ),
    footer: options.footer ?? '',
  });
  const fits = (data: DiagnosticsCardData) =>
    Buffer.byteLength(JSON.stringify(bindCard(diagnosticsCard, data))) <= CARD_BYTES_BUDGET;
  let data = build(SCRIPT_FALLBACKS[0], false);
  for (const scriptChars of SCRIPT_FALLBACKS.slice(1)) {
    if (fits(data)) return data;
    data = build(scriptChars, false);
  }
  return fits(data) ? data : build(0, true);
}
