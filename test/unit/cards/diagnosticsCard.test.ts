import { markdownPlaces } from '../../support/markdownCheck';
import { diagnosticsCard, diagnosticsCardData } from '../../../src/cards/diagnosticsCards';
import { bindCard } from '../../../src/cards/render';
import type { Finding } from '../../../src/diagnostics/finding';
import { actionsOf, cardText } from '../../harness/cards';
import { expectValidCard, TEAMS_CARD_PAYLOAD_LIMIT_BYTES } from '../../support/cardValidation';
import { sampleFindings } from '../diagnostics/sampleFindings';
import { CARD_DATA_VERSION } from '../../../src/cards/universalActions';

const options = { title: 'Troubleshooting your connectors', privateDetails: true };

function row(card: Record<string, unknown>, id: string): Record<string, unknown> {
  const found = (card.body as Record<string, unknown>[]).find((b) => b.id === id);
  if (!found) throw new Error(`no row ${id}`);
  return found;
}

describe('the diagnostics card', () => {
  test('each row shows its status in words and colour, what was found and the fix (Tip on a pass)', () => {
    const card = bindCard(
      diagnosticsCard,
      diagnosticsCardData(sampleFindings(), { ...options, finishedAt: 'now' }),
    );
    expectValidCard(card);
    expect(cardText(row(card, 'spo-license'))).toContain('✗ Fail');
    expect(JSON.stringify(row(card, 'spo-license'))).toContain('"color":"Attention"');
    expect(cardText(row(card, 'user-provisioning'))).toContain('⚠ Warning');
    expect(cardText(row(card, 'admin-account'))).toContain('? Could not run');
    expect(cardText(row(card, 'user-assignment'))).toMatch(/✓ Pass[\s\S]*Tip: To tighten/);
    expect(cardText(row(card, 'app-access'))).toContain('Fix: Fix what the rows above say first.');
    expect((card.body as { text?: string }[])[1].text).toBe(
      '1 passed, 2 warnings, 3 failed, 1 could not run. Checked now.',
    );
  });

  test('a connector row has a Reauthorize button that runs reauthorize with its display name', () => {
    const card = bindCard(diagnosticsCard, diagnosticsCardData(sampleFindings(), options));
    const actions = actionsOf(row(card, 'connector:5b0c'));
    expect(actions).toEqual([
      {
        type: 'Action.Execute',
        verb: 'command',
        title: 'Reauthorize',
        data: { command: 'reauthorize', args: 'Finance archive', cardVersion: CARD_DATA_VERSION },
      },
    ]);
  });

  test('the script is a monospace code block; a long one is cut to fit with a note saying how many more', () => {
    const card = bindCard(diagnosticsCard, diagnosticsCardData(sampleFindings(4_812), options));
    expectValidCard(card);
    const blocks = JSON.stringify(row(card, 'user-provisioning'));
    expect(blocks).toContain('"fontType":"Monospace"');
    expect(blocks).toContain('Connect-SPOService -Url https://contoso-admin.sharepoint.com');
    // One paragraph a line: as markdown a single newline may be a space, which would run the
    // script into one line behind its opening comment.
    const script = markdownPlaces(row(card, 'user-provisioning')).find((t) =>
      t.includes('Connect-SPOService'),
    )!;
    const lines = script.split('\n\n');
    expect(lines[0]).toMatch(/^\\# Provisions OneDrive for \d+ licensed users/);
    expect(lines[2]).toBe('Connect-SPOService -Url https://contoso-admin.sharepoint.com');
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    expect(cardText(row(card, 'user-provisioning'))).toMatch(
      /This script covers \d{3} of the 4,812 users; run it, then type diagnose again for the next ones\./,
    );
  });

  test('in a channel or group chat the names of users are not shown', () => {
    const card = bindCard(
      diagnosticsCard,
      diagnosticsCardData(sampleFindings(), { ...options, privateDetails: false }),
    );
    expect(JSON.stringify(card)).not.toContain('migrated.user.');
    expect(cardText(card)).toContain('I show it only in our 1:1 chat');
  });

  test('the largest card a run can make fits in Teams’ 28 KB', () => {
    const long = (s: string) => `${s} ${'x'.repeat(300)}`;
    const findings: Finding[] = [
      ...sampleFindings(100_000).map((f) => ({ ...f, found: long(f.found), fix: long(f.fix) })),
      ...Array.from({ length: 11 }, (_, i) => ({
        id: `connector:${i}`,
        title: `${'N'.repeat(80)} (Office 365 Connector)`,
        status: 'fail' as const,
        found: long('Deauthorized.'),
        fix: long('Reauthorize it.'),
        connector: { id: String(i), displayName: 'N'.repeat(80) },
      })),
    ];
    findings[4].script!.userEmails = findings[4].script!.userEmails.map((e) => `${'y'.repeat(60)}.${e}`);
    const card = bindCard(diagnosticsCard, diagnosticsCardData(findings, options));
    expectValidCard(card);
    expect(JSON.stringify(card).length).toBeLessThan(TEAMS_CARD_PAYLOAD_LIMIT_BYTES);
  });
});
