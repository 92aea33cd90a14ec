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
    const reasons: string[] = [];
    if (consent?.status === 'fail') reasons.push('admin consent is not complete');
    if (license?.status === 'fail') reasons.push('the tenant lacks a SharePoint Online license');
    if (stuck.length > 0) {
      reasons.push(`the authorization of ${stuck.map((c) => c.displayName).join(', ')} did not finish`);
    }
    if (reasons.length > 0) {
      return {
        ...base,
        status: 'warn',
        found: `Authorization failed or is incomplete: ${reasons.join('; ')}.`,
        fix: `Fix what the rows above say first. ${APP_ACCESS_ADVICE} ${REAUTHORIZE_FIRST_STEP}`,
      };
    }
    if (consent?.status === 'could-not-run') {
      return {
        ...base,
        status: 'could-not-run',
        found: 'Could not tell whether authorization failed: the admin consent check could not run.',
        fix: APP_ACCESS_ADVICE,
      };
    }
    return {
      ...base,
      status: 'pass',
      found: 'No failed authorization found.',
      fix: '',
    };
  },
};
