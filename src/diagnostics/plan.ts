import { adminAccountCheck } from './adminAccountCheck';
import { adminConsentCheck } from './adminConsentCheck';
import { appAccessCheck } from './appAccessCheck';
import { consentWorkflowCheck } from './consentWorkflowCheck';
import type { DiagnosticContext, DiagnosticPlan } from './finding';
import { connectorChecks } from './inactivityCheck';
import { signInActivityCheck } from './signInActivityCheck';
import { spoLicenseCheck } from './spoLicenseCheck';
import { userAssignmentCheck } from './userAssignmentCheck';
import { userProvisioningCheck } from './userProvisioningCheck';

/**
 * The checks of `diagnose` in card order. For the whole tenant: the Office 365 checks of seed 001,
 * every connector's inactivity, and the "App access error" advice. For one connector: its
 * inactivity, plus the Office 365 checks when it is an Office 365 connector (they are about the
 * destination tenant; other connector types do not use them).
 */
export function diagnosticPlan(ctx: DiagnosticContext, scope: 'tenant' | 'connector'): DiagnosticPlan {
  const office365 = scope === 'tenant' || ctx.connectors.some((c) => c.type === 'office365');
  const tenantChecks = office365
    ? [
        spoLicenseCheck,
        adminConsentCheck,
        consentWorkflowCheck,
        signInActivityCheck,
        userAssignmentCheck,
        adminAccountCheck,
        userProvisioningCheck,
      ]
    : [];
  return {
    checks: [...tenantChecks, ...connectorChecks(ctx, scope)],
    derived: office365 ? [appAccessCheck] : [],
  };
}
