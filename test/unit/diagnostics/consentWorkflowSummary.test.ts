import type { ConsentWorkflowReading } from '../../../src/diagnostics/consentWorkflow';
import { summarizeConsentWorkflow } from '../../../src/diagnostics/consentWorkflowSummary';
import { UTC_DATES } from '../../../src/util/dates';

const APP = '7ac65a70-974f-4ea6-a116-6765542ae49e';
const URL =
  'https://entra.microsoft.com/t/#view/Microsoft_AAD_IAM/StartboardApplicationsMenuBlade/~/AccessRequests';

const policyOn = {
  kind: 'read' as const,
  policy: {
    enabled: true,
    notifyReviewers: true,
    remindersEnabled: false,
    requestDurationDays: 0,
    reviewers: [{ kind: 'user' as const, id: 'a1b2c3d4-0000-0000-0000-000000000001' }],
    reviewerNamesNote:
      'Some reviewers are shown by id: looking up their names needs the application permission Directory.Read.All.',
  },
};

describe("Entra's admin consent workflow in words", () => {
  test('Graph not configured: unread, the reason only', () => {
    const summary = summarizeConsentWorkflow(
      { kind: 'unavailable', reason: 'Not checked: Microsoft Graph is not configured (GRAPH_CLIENT_ID).' },
      APP,
      UTC_DATES,
    );
    expect(summary).toEqual({
      state: 'unread',
      sentences: ['Not checked: Microsoft Graph is not configured (GRAPH_CLIENT_ID).'],
      facts: [],
      fix: '',
    });
  });

  test('no CONNECTOR_APP_ID: the policy is shown, the requests part says how to enable it', () => {
    const reading: ConsentWorkflowReading = {
      kind: 'read',
      policy: policyOn,
      requests: { kind: 'not-checked', reason: 'CONNECTOR_APP_ID is not set.' },
      portalUrl: URL,
    };
    const summary = summarizeConsentWorkflow(reading, undefined, UTC_DATES);
    expect(summary.state).toBe('partial');
    expect(summary.sentences).toEqual([
      'Entra reports that its admin consent workflow is on: people who cannot consent to an app can ask for admin consent in Entra, reviewed by the user a1b2c3d4-0000-0000-0000-000000000001.',
      'Some reviewers are shown by id: looking up their names needs the application permission Directory.Read.All.',
      'Pending requests in Entra were not checked: CONNECTOR_APP_ID is not set.',
    ]);
    expect(summary.facts).toContainEqual({ title: 'Requests expire after', value: 'no duration reported' });
    expect(summary.fix).toBe(
      'Set CONNECTOR_APP_ID to the connector app’s application id and restart the bot.',
    );
    expect(summary.link).toEqual({ title: 'Open admin consent requests in Entra', url: URL });
  });

  test('a pending request while the policy is refused: both what to do and what to grant', () => {
    const reading: ConsentWorkflowReading = {
      kind: 'read',
      policy: { kind: 'refused', permission: 'Policy.Read.All', reason: 'Microsoft Graph refused.' },
      requests: {
        kind: 'pending',
        request: { appDisplayName: 'Office 365 Mover', pendingScopes: [], requesters: 1 },
      },
      portalUrl: URL,
    };
    const summary = summarizeConsentWorkflow(reading, APP, UTC_DATES);
    expect(summary.state).toBe('pending');
    expect(summary.sentences).toEqual([
      'Microsoft Graph refused.',
      'Entra reports a pending admin consent request for the connector app (Office 365 Mover): 1 person asked.',
    ]);
    expect(summary.fix).toMatch(
      /^A reviewer opens Admin consent requests in Entra .* the application permission Policy\.Read\.All with admin consent/,
    );
    expect(summary.link?.url).toBe(URL);
  });
});
