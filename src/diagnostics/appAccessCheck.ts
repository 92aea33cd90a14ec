import { REAUTHORIZE_FIRST_STEP } from '../connectors/reauthorization';
import { ADMIN_CONSENT_ID } from './adminConsentCheck';
import type { DerivedCheck, DiagnosticContext, Finding } from './finding';
import { SPO_LICENSE_ID } from './spoLicenseCheck';

/** Seed 001, "App access error". */
export const APP_ACCESS_ADVICE =
  'If you encounter an error on authorization, try signing out of any Microsoft accounts, and attempt to authorize the Connector in an Incognito Window (a private browser window).';

export const APP_ACCESS_ID = 'app-access';

/**
 * "App access error": the seed's advice, shown when authorization failed — admin consent or the
 * SharePoint license check failed, or an Office 365 connector's authorization did not finish.
 */
export const appAccessCheck: DerivedCheck = {
  id: APP_ACCESS_ID,
  title: 'App access error',
  derive(findings: readonly Finding[], ctx: DiagnosticContext): Finding {
    const base = { id: APP_ACCESS_ID, title: 'App access error' };
    const consent = findings.find((f) => f.id === ADMIN_CONSENT_ID);
    const license = findings.find((f) => f.id === SPO_LICENSE_ID);
    const stuck = ctx.connectors.filter((c) => c.type === 'office365' && c.status === 'authorizing');
    const refused = ctx.connectors.filter(
      (c) => c.status === 'consent-declined' || c.status === 'consent-expired',
    );
    const reasons: string[] = [];
    if (consent?.status === 'fail') reasons.push('admin consent is not complete');
    if (license?.status === 'fail') reasons.push('the tenant lacks a SharePoint Online license');
    if (stuck.length > 0) {
      reasons.push(`the authorization of ${stuck.map((c) => c.displayName).join(', ')} did not finish`);
    }
    if (refused.length > 0) {
      reasons.push(
        `the admin consent request of ${refused.map((c) => c.displayName).join(', ')} was declined or expired`,
      );
    }
    if (reasons.length > 0) {
      return {
        ...base,
        status: 'warn',
        found: `Authorization failed or is incomplete: ${reasons.join('; ')}.`,
        fix: `Fix what the rows above say first. ${APP_ACCESS_ADVICE} ${REAUTHORIZE_FIRST_STEP}`,
      };
    }
    // A pass needs both rows to have checked: a warning there (consent not checkable) proves nothing.
    const unchecked = [
      consent && consent.status !== 'pass' ? 'the admin consent check did not pass or could not check' : '',
      license?.status === 'could-not-run' ? 'the SharePoint license check could not run' : '',
    ].filter(Boolean);
    if (unchecked.length > 0) {
      return {
        ...base,
        status: 'could-not-run',
        found: `Could not tell whether authorization failed: ${unchecked.join('; ')}.`,
        fix: APP_ACCESS_ADVICE,
      };
    }
    // Says only what the rows above did check (a connector's diagnose may run without them).
    const checked = [consent ? 'admin consent' : '', license ? 'the SharePoint license' : '']
      .filter(Boolean)
      .join(' and ');
    return {
      ...base,
      status: 'pass',
      found: `No failed authorization found: ${checked ? `${checked} checked out above, and ` : ''}no connector of this tenant is stuck in its authorization or refused consent.`,
      fix: '',
    };
  },
};
