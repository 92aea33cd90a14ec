import type { GraphGateway } from '../graph/graphGateway';
import { GRAPH_PERMISSIONS } from '../graph/graphPermissions';
import { count, type DiagnosticCheck, type Finding } from './finding';

/** The SharePoint Online service plans DESIGN.md names, by id ("Microsoft Graph"). */
export const SHAREPOINT_PLANS: Record<string, string> = {
  'c7699d2e-19aa-44de-8edf-1736da088ca1': 'SHAREPOINTSTANDARD',
  '5dbe027f-2339-4123-9542-606e4d348a72': 'SHAREPOINTENTERPRISE',
};

/**
 * SharePoint Online's other editions, by plan name: education, government (GCC, GCC High, DoD),
 * kiosk (DESKLESS), midmarket and developer plans carry SharePoint Online under their own ids, and
 * a tenant on one of them has the license the seed asks for. Office for the web (SHAREPOINTWAC),
 * extra storage (SHAREPOINTSTORAGE) and Project Online (SHAREPOINT_PROJECT) are not SharePoint
 * Online and do not match.
 */
const SHAREPOINT_PLAN_NAME =
  /^(?:SHAREPOINT(?:STANDARD|ENTERPRISE|DESKLESS)(?:_[A-Z0-9]+)*|SHAREPOINT_S_DEVELOPER)$/i;

/** The plan's name when it is a SharePoint Online plan, else undefined. */
export function sharePointPlanName(plan: {
  servicePlanId?: string;
  servicePlanName?: string;
}): string | undefined {
  const byId = plan.servicePlanId ? SHAREPOINT_PLANS[plan.servicePlanId.toLowerCase()] : undefined;
  if (byId) return byId;
  return plan.servicePlanName && SHAREPOINT_PLAN_NAME.test(plan.servicePlanName)
    ? plan.servicePlanName
    : undefined;
}

/** A service plan in a user's licences, as Graph's `assignedPlans` lists it. */
export interface AssignedPlan {
  servicePlanId?: string;
  service?: string;
  capabilityStatus?: string;
}

/** Whether a user's licences hold an enabled SharePoint Online plan (which OneDrive needs). */
export function hasSharePointPlan(plans: readonly AssignedPlan[] | undefined): boolean {
  return (plans ?? []).some(
    (p) =>
      p?.capabilityStatus === 'Enabled' &&
      (p.service === 'SharePoint' || !!(p.servicePlanId && SHAREPOINT_PLANS[p.servicePlanId.toLowerCase()])),
  );
}

interface SubscribedSku {
  skuPartNumber?: string;
  capabilityStatus?: string;
  consumedUnits?: number;
  prepaidUnits?: { enabled?: number };
  servicePlans?: { servicePlanId?: string; servicePlanName?: string; provisioningStatus?: string }[];
}

/** Subscriptions whose plans still work: Warning is the grace period after expiry. */
const LIVE_SKU = new Set(['enabled', 'warning']);
/** Plans on their way to Success: wait rather than buy. */
const PENDING = /^Pending/i;

const BUY_FIX =
  'You need to purchase a Microsoft 365 license for your Azure Active Directory tenant that includes SharePoint Online (a Microsoft 365 or Office 365 plan with SharePoint Online), then authorize the Office 365 connector again.';

export const SPO_LICENSE_ID = 'spo-license';

/** "Tenant lacks SPO license": a subscription must hold SharePoint Online, provisioned. */
export const spoLicenseCheck: DiagnosticCheck = {
  id: SPO_LICENSE_ID,
  title: 'SharePoint Online license',
  needsGraph: true,
  permissions: [GRAPH_PERMISSIONS.organizationRead],
  run: (graph, tenantId) => checkSpoLicense(graph, tenantId),
};

/** A SharePoint Online service plan in one of the tenant's subscriptions. */
interface SpoPlan {
  sku: SubscribedSku;
  name: string;
  status: string;
}

function sharePointPlans(skus: SubscribedSku[]): SpoPlan[] {
  return skus.flatMap((sku) =>
    (sku.servicePlans ?? []).flatMap((p) => {
      const name = sharePointPlanName(p);
      return name ? [{ sku, name, status: p.provisioningStatus ?? 'unknown' }] : [];
    }),
  );
}

const where = (p: SpoPlan) => `${p.name} in ${p.sku.skuPartNumber ?? 'a subscription'}`;

/** SharePoint Online works; a warning when every subscription holding it is in its grace period. */
function provisionedFinding(base: Pick<Finding, 'id' | 'title'>, working: SpoPlan[]): Finding {
  const first = working[0];
  const seats = first.sku.prepaidUnits?.enabled;
  const grace = working.every((p) => String(p.sku.capabilityStatus).toLowerCase() === 'warning');
  return {
    ...base,
    status: grace ? 'warn' : 'pass',
    found: `SharePoint Online is provisioned: ${working.map(where).join(', ')}${seats !== undefined ? ` (${count(seats)} licenses, ${count(first.sku.consumedUnits ?? 0)} assigned)` : ''}.${grace ? ' The subscription is in its grace period (capabilityStatus Warning) and stops working when it ends.' : ''}`,
    fix: grace ? 'Renew the subscription in the Microsoft 365 admin center (Billing) before it ends.' : '',
  };
}

export async function checkSpoLicense(graph: GraphGateway, tenantId: string): Promise<Finding> {
  const skus = await graph.list<SubscribedSku>(tenantId, '/subscribedSkus', {
    permission: GRAPH_PERMISSIONS.organizationRead,
    maxItems: 1_000,
  });
  const plans = sharePointPlans(skus);
  const base = { id: spoLicenseCheck.id, title: spoLicenseCheck.title };
  const live = plans.filter((p) => LIVE_SKU.has(String(p.sku.capabilityStatus ?? 'Enabled').toLowerCase()));
  const working = live.filter((p) => p.status === 'Success');
  if (working.length > 0) return provisionedFinding(base, working);
  if (plans.length === 0) {
    return {
      ...base,
      status: 'fail',
      found: `Tenant lacks SPO license: none of the tenant’s ${skus.length === 1 ? 'subscription' : `${count(skus.length)} subscriptions`} includes SharePoint Online (a service plan SHAREPOINTSTANDARD or SHAREPOINTENTERPRISE, or one of their education, government, kiosk or other editions), so connector authorization fails with this error.`,
      fix: BUY_FIX,
    };
  }
  if (live.length === 0) {
    return {
      ...base,
      status: 'fail',
      found: `Tenant lacks SPO license: SharePoint Online is only in subscriptions that no longer work (${plans.map((p) => `${p.sku.skuPartNumber ?? 'a subscription'} is ${p.sku.capabilityStatus}`).join(', ')}).`,
      fix: `Renew or reactivate the subscription in the Microsoft 365 admin center (Billing > Your products). ${BUY_FIX}`,
    };
  }
  const pending = live.filter((p) => PENDING.test(p.status));
  if (pending.length > 0) {
    return {
      ...base,
      status: 'warn',
      found: `SharePoint Online is not provisioned yet: ${pending.map((p) => `${where(p)} is ${p.status}`).join(', ')} (provisioningStatus must be Success).`,
      fix: 'Wait until Microsoft finishes setting up SharePoint Online (this can take a few hours after purchase), then authorize the Office 365 connector again.',
    };
  }
  return {
    ...base,
    status: 'fail',
    found: `Tenant lacks SPO license: SharePoint Online is in the tenant’s subscriptions but not provisioned (${live.map((p) => `${where(p)} is ${p.status}`).join(', ')}; provisioningStatus must be Success).`,
    fix: `In the Microsoft 365 admin center, turn the SharePoint Online service plan back on for the subscription (Billing > Licenses), or ${BUY_FIX.charAt(0).toLowerCase()}${BUY_FIX.slice(1)}`,
  };
}
