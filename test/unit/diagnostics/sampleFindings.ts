import {
  diagnosticsCard,
  diagnosticsCardData,
  type DiagnosticsCardData,
} from '../../../src/cards/diagnosticsCards';
import type { CardTemplate } from '../../../src/cards/render';
import type { Finding } from '../../../src/diagnostics/finding';
import { permissionTable } from '../../../src/diagnostics/adminConsentCheck';
import { APP_ACCESS_ADVICE } from '../../../src/diagnostics/appAccessCheck';

/** A finished run with one row of each kind, as a real tenant with problems would show it. */
export function sampleFindings(unprovisioned = 37): Finding[] {
  const emails = Array.from(
    { length: Math.min(unprovisioned, 1_000) },
    (_, i) => `migrated.user.${String(i).padStart(4, '0')}@contoso.onmicrosoft.com`,
  );
  return [
    {
      id: 'spo-license',
      title: 'SharePoint Online license',
      status: 'fail',
      found:
        'Tenant lacks SPO license: SharePoint Online is in the tenant’s subscriptions but not provisioned (SHAREPOINTENTERPRISE in ENTERPRISEPACK is Disabled; provisioningStatus must be Success).',
      fix: 'In the Microsoft 365 admin center, turn the SharePoint Online service plan back on for the subscription (Billing > Licenses).',
    },
    {
      id: 'admin-consent',
      title: 'Admin consent for the Office 365 Mover app',
      status: 'fail',
      found:
        'Only user consent was given (for individual users), not admin consent for the organization. A global admin must select "Grant admin consent for Mover". Service principal: Office 365 Mover.',
      fix: 'A global admin logs in to the Azure Portal via https://aka.ms/office365moverauth, selects the Office 365 Mover app in Enterprise applications, opens Permissions and selects Grant admin consent for Mover.',
      details: permissionTable({
        kind: 'user-only',
        servicePrincipal: { id: 'sp', appId: 'app' },
        grantedScopes: [],
        missing: [],
        userOnlyGrants: 1,
        appRoleAssignments: 0,
      }),
    },
    {
      id: 'user-assignment',
      title: 'User assignment required',
      status: 'pass',
      found:
        'User assignment required is off on the Office 365 Mover app: every user of the tenant can use it.',
      fix: 'To tighten your security beyond administrators, turn on User assignment required from the Office 365 Mover app settings in your Azure portal.',
    },
    {
      id: 'admin-account',
      title: 'Global admin account provisioning',
      status: 'could-not-run',
      found:
        'Could not run: the app needs RoleManagement.Read.Directory. Microsoft Graph refused GET /roleManagement/directory/roleAssignments: the app needs the application permission RoleManagement.Read.Directory with admin consent.',
      fix: 'An admin of this tenant grants the bot’s Graph app the application permission RoleManagement.Read.Directory and admin consent, then runs diagnose again.',
    },
    {
      id: 'user-provisioning',
      title: 'User provisioning',
      status: 'warn',
      found: `${unprovisioned} licensed users have no OneDrive: their Office 365 account is not provisioned. Checked all 1,204 licensed users of 1,318 users in the directory.`,
      fix: 'All Office 365 users must sign in to their Office 365, and open Office 365 for us to transfer into their accounts.',
      script: { adminUrl: 'https://contoso-admin.sharepoint.com', userEmails: emails, total: unprovisioned },
    },
    {
      id: 'connector:5b0c',
      title: 'Finance archive (Office 365 Connector)',
      status: 'fail',
      found:
        'Deauthorized: no transfer for 95 days. Last transfer recorded here 2025-11-27 09:00 UTC, 95 days ago.',
      fix: "No transfer is recorded for this connector in the last 90 days, and Mover automatically deauthorizes connectors that haven't transferred any data in that time. Reauthorize it to use it again.",
      connector: { id: '5b0c', displayName: 'Finance archive' },
    },
    {
      id: 'app-access',
      title: 'App access error',
      status: 'warn',
      found: 'Authorization failed or is incomplete: admin consent is not complete.',
      fix: `Fix what the rows above say first. ${APP_ACCESS_ADVICE}`,
    },
  ];
}

/** Card samples of the diagnostics card: every row pending, finished, and in a channel. */
export function diagnosticsCardSamples(): { name: string; template: CardTemplate<never>; data: object }[] {
  return diagnosticsSamples().map((s) => ({ ...s, template: s.template as CardTemplate<never> }));
}

function diagnosticsSamples(): {
  name: string;
  template: CardTemplate<DiagnosticsCardData>;
  data: DiagnosticsCardData;
}[] {
  const finished = sampleFindings();
  const options = { title: 'Troubleshooting your connectors', privateDetails: true };
  return [
    {
      name: 'diagnostics-pending',
      template: diagnosticsCard,
      data: diagnosticsCardData(
        finished.map((f) => ({ id: f.id, title: f.title, status: 'pending', found: 'Checking…', fix: '' })),
        options,
      ),
    },
    {
      // The user check reports its counts on its pending row while it runs through a large directory.
      name: 'diagnostics-user-check-progress',
      template: diagnosticsCard,
      data: diagnosticsCardData(
        finished.map((f, i) =>
          f.id === 'user-provisioning'
            ? {
                id: f.id,
                title: f.title,
                status: 'pending',
                found:
                  'Checking… 41,360 licensed users checked so far (43,956 users read from the directory); 427 without a OneDrive.',
                fix: '',
              }
            : i % 2 === 0
              ? f
              : { id: f.id, title: f.title, status: 'pending', found: 'Checking…', fix: '' },
        ),
        { ...options, footer: 'Still checking: this card updates as each check finishes.' },
      ),
    },
    {
      name: 'diagnostics-finished',
      template: diagnosticsCard,
      data: diagnosticsCardData(finished, { ...options, finishedAt: '2026-03-02 09:00 UTC' }),
    },
    {
      name: 'diagnostics-large-script',
      template: diagnosticsCard,
      data: diagnosticsCardData(sampleFindings(4_812), {
        ...options,
        footer: 'Still checking: this card updates as each check finishes.',
      }),
    },
  ];
}
