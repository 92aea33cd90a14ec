import type { WizardButton } from '../../cards/wizardCards';
import type { RoleReport } from './consentPort';

/** The two branches of step 5 (seed 000): consent yourself, or hand it to a global admin. */
export type Office365Role = 'global' | 'sharepoint';

const BUTTONS: Record<Office365Role, WizardButton> = {
  global: { title: 'I am a global admin: continue', move: 'role:global', style: 'default', inputs: 'none' },
  sharepoint: {
    title: 'I am a SharePoint admin: hand over',
    move: 'role:sharepoint',
    style: 'default',
    inputs: 'none',
  },
};

/** The branch Graph's answer points to: a global admin consents; anyone else hands over. */
export function suggestedRole(report: RoleReport | undefined): Office365Role | undefined {
  if (report?.kind !== 'known') return undefined;
  return report.globalAdmin ? 'global' : 'sharepoint';
}

/** Graph's answer in words: "Global Administrator", "SharePoint Administrator", "neither …". */
export function reportedRoles(report: Extract<RoleReport, { kind: 'known' }>): string {
  const held = [
    ...(report.globalAdmin ? ['Global Administrator'] : []),
    ...(report.sharePointAdmin ? ['SharePoint Administrator'] : []),
  ];
  return held.length > 0 ? held.join(' and ') : 'neither Global Administrator nor SharePoint Administrator';
}

/** The lines step 5 shows about Graph's answer. */
interface RoleNotes {
  facts: { title: string; value: string }[];
  tips: { text: string }[];
  warnings: { text: string }[];
}

/** Both branches' buttons, the suggested one first and emphasized. */
function roleButtons(suggested: Office365Role | undefined): WizardButton[] {
  const order: Office365Role[] =
    suggested === 'sharepoint' ? ['sharepoint', 'global'] : ['global', 'sharepoint'];
  return order.map((role) => ({
    ...BUTTONS[role],
    // Without Graph's answer the first branch keeps the emphasis it always had.
    style: (suggested ? role === suggested : role === 'global')
      ? ('positive' as const)
      : ('default' as const),
  }));
}

/** What Graph said of the asker's roles, or why it could not say. */
function roleNotes(report: RoleReport | undefined): RoleNotes {
  if (!report) return { facts: [], tips: [], warnings: [] };
  if (report.kind === 'not-configured') {
    return {
      facts: [],
      tips: [{ text: `I cannot check your admin role: ${report.reason}. Tell me which admin you are.` }],
      warnings: [],
    };
  }
  if (report.kind === 'failed') {
    return {
      facts: [{ title: 'Your admin role', value: 'could not verify with Microsoft Graph' }],
      tips: [],
      warnings: [
        {
          text: `I could not verify your admin role with Microsoft Graph: ${report.reason} Tell me which admin you are.`,
        },
      ],
    };
  }
  const roles = reportedRoles(report);
  const facts = [{ title: 'Microsoft Graph reports', value: `you are ${roles}` }];
  if (report.globalAdmin) {
    return {
      facts,
      tips: [
        {
          text: 'Microsoft Graph reports that you are a Global Administrator, so I pre-selected steps 6 to 9: you can grant the consent yourself. You can still hand it over.',
        },
      ],
      warnings: [],
    };
  }
  return {
    facts,
    tips: [
      {
        text: `Microsoft Graph reports that you are ${roles}, not a Global Administrator, so I pre-selected the hand-over: only a global admin can grant tenant-wide consent. You can still choose steps 6 to 9.`,
      },
    ],
    warnings: report.sharePointAdmin
      ? []
      : [
          {
            text: 'Steps 1 to 5 need a global or SharePoint admin: without either role, ask one to run this wizard.',
          },
        ],
  };
}

/** What step 5 adds for Graph's answer: a fact, a line on it, and the buttons, the suggested one first. */
export function roleChoice(report: RoleReport | undefined): RoleNotes & { buttons: WizardButton[] } {
  return { ...roleNotes(report), buttons: roleButtons(suggestedRole(report)) };
}

/** A sentence for the next card when the branch chosen contradicts Graph's answer; undefined otherwise. */
export function roleContradiction(report: RoleReport | undefined, chosen: Office365Role): string | undefined {
  if (report?.kind !== 'known') return undefined;
  if (chosen === 'global' && !report.globalAdmin) {
    return `You chose to grant consent yourself, but Microsoft Graph reports that you are ${reportedRoles(report)}, not a Global Administrator. Only a global admin can grant tenant-wide consent, so the consent check at the end will fail unless one does: go Back to hand it over.`;
  }
  if (chosen === 'sharepoint' && report.globalAdmin) {
    return 'You chose to hand over, but Microsoft Graph reports that you are a Global Administrator: you can grant the consent yourself (go Back and continue with steps 6 to 9).';
  }
  return undefined;
}
