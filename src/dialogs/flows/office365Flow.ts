import { TeamsInfo } from 'botbuilder';
import { consentCheckButton } from '../../cards/wizardCards';
import { commandButton, type MessageCardData } from '../../cards/messageCard';
import { connectorType } from '../../connectors/catalog';
import {
  APP_ACCESS_ERROR_ADVICE,
  CONSENT_LINK_SLOT,
  OFFICE365_CONNECT_DESTINATION,
  OFFICE365_GLOBAL_ADMIN_WARNING,
  OFFICE365_STEPS,
  STEP_ACTOR_LABELS,
} from '../../connectors/authorizationSteps';
import {
  cloudLabel,
  cloudMismatchMessage,
  cloudOfUpn,
  GERMANY_CLOUD_CLOSED,
  isMicrosoftCloud,
  MICROSOFT_CLOUDS,
  type MicrosoftCloud,
} from '../../connectors/clouds';
import { consentLinks } from '../../connectors/consentLinks';
import type { Connector } from '../../connectors/connector';
import { describeState } from '../../connectors/provenance';
import { graphConsentSummary } from './office365Finish';
import { consentNotVerifiedCard } from './office365Finish';
import { roleChoice, roleContradiction } from './office365Role';
import type { ConsentHandoverPort } from './consentPort';
import {
  nextButton,
  stepProgress,
  type FlowEnv,
  type PageView,
  type SubmitResult,
  type WizardFlow,
  type WizardState,
} from '../wizardFlow';
import { markdown, md } from '../../cards/markdown';

export const CLOUD_PAGE = 'cloud';
export const HANDOVER_PAGE = 'handover';
const ROLE_PAGE = 'o365-5';
const ROLE_PAGE_BEFORE = 'o365-4';
const GLOBAL_ADMIN_PAGES = ['o365-6', 'o365-7', 'o365-8', 'o365-9'];
const NEW_CONNECTOR_PAGES = ['o365-1', 'o365-2', 'o365-3'];
const SHARED_PAGES = [...NEW_CONNECTOR_PAGES, 'o365-4', ROLE_PAGE];
/** Most people a hand-over names one by one; more go through the roles. */
const MAX_NAMED_REVIEWERS = 10;

type Reviewer = NonNullable<WizardState['consentReviewers']>[number];

/** A submitted text field, trimmed and cut to `max` characters; '' when absent. */
function pickField(value: Record<string, unknown>, key: string, max = 254): string {
  return typeof value[key] === 'string' ? (value[key] as string).trim().slice(0, max) : '';
}

/** Why the typed reviewer accounts cannot be used, or undefined when they can. */
function typedAccountsProblem(typed: string[]): string | undefined {
  if (typed.length > MAX_NAMED_REVIEWERS) {
    return `Name at most ${MAX_NAMED_REVIEWERS} people; for more, choose everyone holding the roles.`;
  }
  const bad = typed.find((u) => u.length > 254 || cloudOfUpn(u).kind === 'invalid');
  if (bad !== undefined) return 'That account name does not look like user@domain.';
  return undefined;
}

/** The Office 365 Connector: the cloud, then the nine steps of seed 000, branching at step 5. */
export class Office365Flow implements WizardFlow {
  readonly type = connectorType('office365');
  readonly authorizer = 'global-or-sharepoint-admin' as const;
  /** Seed 000's opening warning holds for a reauthorization too: consent comes after Mover. */
  readonly reauthorizeWarnings = [OFFICE365_GLOBAL_ADMIN_WARNING];

  constructor(private readonly handover?: ConsentHandoverPort) {}

  pages(state: WizardState): string[] {
    const tail =
      state.role === 'global'
        ? GLOBAL_ADMIN_PAGES
        : state.role === 'sharepoint' && this.handover
          ? [HANDOVER_PAGE]
          : [];
    return [CLOUD_PAGE, ...SHARED_PAGES, ...tail];
  }

  /** The cloud, then step 4 (sign in) on: steps 1 to 3 authorize a new connector. */
  reauthorizePages(state: WizardState): string[] {
    return this.pages(state).filter((p) => !NEW_CONNECTOR_PAGES.includes(p));
  }

  async start(state: WizardState, env: FlowEnv): Promise<void> {
    try {
      const member = await TeamsInfo.getMember(env.context, env.context.activity.from.id);
      if (member.userPrincipalName) state.upn = member.userPrincipalName;
    } catch {
      // Outside Teams (or when the roster call is refused) the person types their UPN instead.
    }
    const fromUpn = state.upn ? cloudOfUpn(state.upn) : undefined;
    state.cloud = fromUpn?.kind === 'known' ? fromUpn.clouds[0] : 'global';
  }

  view(state: WizardState, page: string, env: FlowEnv): PageView {
    if (page === CLOUD_PAGE) return this.cloudView(state);
    if (page === HANDOVER_PAGE) return this.handoverView(state, env);
    const index = OFFICE365_STEPS.findIndex((s) => s.key === page);
    const step = OFFICE365_STEPS[index];
    const view: PageView = {
      progress: stepProgress(index, OFFICE365_STEPS.length),
      who: STEP_ACTOR_LABELS[step.who],
      whoStyle: step.who === 'global-admin' ? 'warning' : 'accent',
      heading: step.title,
      instruction: markdown(step.instruction),
      warnings: (step.warnings ?? []).map((text) => ({ text: markdown(text) })),
      // Seed 000, step 5: "point your global admin to aka.ms/office365moverauth" (configurable).
      tips: (step.tips ?? []).map((text) => ({
        text: markdown(text.replace(CONSENT_LINK_SLOT, env.config.adminConsentLink)),
      })),
      facts: [],
      code: '',
      helpText: APP_ACCESS_ERROR_ADVICE,
    };
    if (index === 0) view.warnings = [{ text: markdown(OFFICE365_GLOBAL_ADMIN_WARNING) }, ...view.warnings];
    if (page === ROLE_PAGE) {
      const choice = roleChoice(state.graphRoles);
      view.buttons = choice.buttons;
      view.facts = choice.facts;
      view.tips = [...view.tips, ...choice.tips];
      view.warnings = [...view.warnings, ...choice.warnings];
    }
    if (GLOBAL_ADMIN_PAGES.includes(page)) {
      const { facts, links } = consentLinks(state, env);
      view.facts = facts;
      view.links = links;
      if (page === 'o365-9') view.buttons = [nextButton('Finish')];
    }
    return view;
  }

  async submit(
    state: WizardState,
    page: string,
    move: string,
    value: Record<string, unknown>,
    env: FlowEnv,
  ): Promise<SubmitResult> {
    if (page === CLOUD_PAGE) return this.submitCloud(state, value);
    if (page === HANDOVER_PAGE) return this.submitHandover(state, value, env);
    if (page === ROLE_PAGE) {
      if (move === 'role:global') {
        state.role = 'global';
        const notice = roleContradiction(state.graphRoles, 'global');
        return { kind: 'next', page: GLOBAL_ADMIN_PAGES[0], notice, noticeStyle: 'warning' };
      }
      if (move === 'role:sharepoint') {
        state.role = 'sharepoint';
        if (!this.handover)
          return { kind: 'finish', outcome: { status: 'awaiting-consent', cloud: state.cloud } };
        await this.loadGlobalAdmins(state);
        const notice = roleContradiction(state.graphRoles, 'sharepoint');
        return { kind: 'next', page: HANDOVER_PAGE, notice, noticeStyle: 'warning' };
      }
      return { kind: 'stay', notice: 'Choose whether you are a global admin or a SharePoint admin.' };
    }
    if (page === ROLE_PAGE_BEFORE && this.handover) {
      // Asked when step 5 is reached (and kept for Back), so the role page can say what Graph reports.
      state.graphRoles = await this.handover.adminRolesOf(state.tenantId, state.owner.id);
    }
    // Like the hand-over, the global-admin path ends awaiting consent: only Graph's consent
    // check (afterRecord) makes the connector authorized.
    if (page === 'o365-9')
      return { kind: 'finish', outcome: { status: 'awaiting-consent', cloud: state.cloud } };
    return { kind: 'next' };
  }

  async afterRecord(state: WizardState, connector: Connector, env: FlowEnv): Promise<Connector> {
    if (connector.status !== 'awaiting-consent' || !this.handover) return connector;
    if (state.role === 'global') {
      const check = await this.handover.checkConsent(connector, state.owner);
      state.consentCheck = { kind: check.kind, message: check.message, missing: check.missing };
      return check.connector;
    }
    const people = state.consentReviewers ?? (state.consentAdmin ? [state.consentAdmin] : []);
    if (!state.consentToRoles && people.length === 0) return connector;
    const result = await this.handover.sendRequest(
      env.context,
      connector,
      state.consentToRoles ? { kind: 'roles' } : { kind: 'people', people },
      state.owner,
      state.cardActivityId,
    );
    state.handover = { delivery: result.delivery, detail: result.detail };
    return result.connector;
  }

  done(state: WizardState, connector: Connector, env: FlowEnv): MessageCardData {
    const facts = [
      { title: 'Connector', value: connector.displayName },
      { title: 'Cloud', value: cloudLabel((connector.cloud as MicrosoftCloud) ?? 'global') },
      { title: 'Status', value: connector.status },
      {
        title: 'Deauthorized after',
        value: `${env.config.inactivityDays} days without a transfer`,
      },
    ];
    if (connector.status === 'awaiting-consent' && state.role === 'global') {
      return consentNotVerifiedCard(state, connector, env, facts);
    }
    if (connector.status === 'awaiting-consent') {
      const { facts: consentFacts, links } = consentLinks(state, env);
      const handover = state.handover;
      return {
        title: handover?.delivery ? 'Consent request sent' : 'Waiting for a global admin',
        text: handover
          ? handover.detail
          : 'You reported steps 1 to 5 done in Mover. To grant permissions and finish the authorization process (steps 6 to 9), point your global admin to the consent link below.',
        style: 'warning',
        paragraphs: OFFICE365_STEPS.slice(5).map((s, i) => ({
          text: markdown(`${i + 6}. **Global admin**: ${s.instruction}`),
        })),
        facts: [...facts, ...consentFacts],
        links,
        buttons: [consentCheckButton(connector.id)],
      };
    }
    return {
      title: 'Connect your destination Office 365 account',
      text: markdown(OFFICE365_CONNECT_DESTINATION),
      style: 'good',
      paragraphs: [{ text: graphConsentSummary(connector, env.dates.dateTime) }],
      facts: facts.map((f) =>
        f.title === 'Status' ? { ...f, value: describeState(connector, env.dates.dateTime) } : f,
      ),
      links: [],
      buttons: [commandButton('Show connectors', 'connectors')],
    };
  }

  private async loadGlobalAdmins(state: WizardState): Promise<void> {
    const missing = this.handover!.graphMissingSettings();
    if (missing.length > 0) {
      state.globalAdminsUnavailable = `I cannot list your global admins because Microsoft Graph is not configured (set ${missing.join(' and ')}). Type the global admin's account instead.`;
      return;
    }
    try {
      state.globalAdmins = (await this.handover!.listGlobalAdmins(state.tenantId)).map((a) => ({
        id: a.id ?? '',
        name: a.name,
        upn: a.upn,
      }));
      state.globalAdminsUnavailable = undefined;
    } catch (err) {
      state.globalAdminsUnavailable = `I could not list your global admins: ${(err as Error).message} Type the global admin's account instead.`;
    }
  }

  private handoverView(state: WizardState, env: FlowEnv): PageView {
    const admins = state.globalAdmins ?? [];
    const { facts } = consentLinks(state, env);
    const link = env.config.adminConsentLink;
    return {
      progress: 'Step 5 of 9',
      who: STEP_ACTOR_LABELS['global-or-sharepoint-admin'],
      whoStyle: 'accent',
      heading: 'Send the consent request to a global admin',
      instruction: md`A SharePoint admin cannot grant tenant-wide consent: to grant permissions and finish the authorization process (steps 6 to 9), point your global admin to **${link}**. Choose who (one person, several, or everyone holding the roles that can grant it), and I will send each of them the consent link and the steps in a 1:1 chat. The first to decide closes the request for all, and I tell you the outcome here.`,
      links: [{ title: 'Open the consent link', url: link }],
      warnings: [],
      tips: state.globalAdminsUnavailable ? [{ text: state.globalAdminsUnavailable }] : [],
      facts,
      code: '',
      helpText:
        'If the global admin has not installed me, I install myself for them (when allowed). If I still cannot reach them 1:1, in a channel or group chat I post the request there with an @mention; in our 1:1 chat nobody else would see it, so I tell you what to share with them yourself.',
      choiceInputs: [
        {
          id: 'addressees',
          label: 'Who reviews the request',
          value: state.consentToRoles ? 'roles' : 'people',
          choices: [
            { title: 'The people I choose below', value: 'people' },
            {
              title: `Everyone holding: ${this.handover!.reviewerRoleNames().join(', ')}`,
              value: 'roles',
            },
          ],
        },
        ...(admins.length > 0
          ? [
              {
                id: 'adminId',
                label: 'Global admins of your tenant',
                value: admins[0].id,
                choices: admins.map((a) => ({ title: `${a.name} (${a.upn})`, value: a.id })),
              },
            ]
          : []),
      ],
      peoplePicker: this.handover!.graphMissingSettings().length === 0,
      textInputs: [
        {
          id: 'adminUpn',
          label:
            admins.length > 0
              ? 'Or type their accounts (UPNs, separated by commas)'
              : 'Global admin accounts (UPNs, separated by commas)',
          placeholder: 'admin@contoso.onmicrosoft.com',
          value: state.consentAdmin?.upn ?? '',
          style: 'email',
          maxLength: 1000,
          isRequired: false,
          errorMessage: 'The global admins’ accounts, such as admin@contoso.onmicrosoft.com.',
        },
      ],
      buttons: [nextButton('Send the consent request')],
    };
  }

  private async submitHandover(
    state: WizardState,
    value: Record<string, unknown>,
    env: FlowEnv,
  ): Promise<SubmitResult> {
    if (pickField(value, 'addressees') === 'roles') {
      state.consentToRoles = true;
      state.consentReviewers = undefined;
      return { kind: 'finish', outcome: { status: 'awaiting-consent', cloud: state.cloud } };
    }
    state.consentToRoles = false;
    const typed = pickField(value, 'adminUpn', 1000)
      .split(/[,;\s]+/)
      .filter((u) => u.length > 0);
    const mistyped = typedAccountsProblem(typed);
    if (mistyped) return { kind: 'stay', notice: mistyped };
    const picked = [pickField(value, 'adminSearch') || pickField(value, 'adminId')].filter(Boolean);
    const chosen = typed.length > 0 ? typed : picked;
    if (chosen.length === 0) return { kind: 'stay', notice: 'Choose a global admin, or type their account.' };
    const people = await this.reviewersOf(state, env, chosen, typed.length > 0);
    if (!people) return { kind: 'stay', notice: 'I could not find that person in your directory.' };
    if (people.some((p) => p.id && p.id === state.owner.id)) {
      return {
        kind: 'stay',
        notice: 'You chose yourself. If you are a global admin, go Back and continue with steps 6 to 9.',
      };
    }
    state.consentReviewers = people;
    state.consentAdmin = people[0];
    // Who was asked is recorded once the request is opened (afterRecord), not before.
    return { kind: 'finish', outcome: { status: 'awaiting-consent', cloud: state.cloud } };
  }

  /**
   * The reviewers for the chosen ids or accounts; undefined when a person picked from the list or
   * the search is not in the directory.
   */
  private async reviewersOf(
    state: WizardState,
    env: FlowEnv,
    chosen: string[],
    typed: boolean,
  ): Promise<Reviewer[] | undefined> {
    const people: Reviewer[] = [];
    for (const entry of chosen) {
      const known = state.globalAdmins?.find((a) => a.id === entry);
      const person = known ?? (await this.handover!.resolvePerson(env.context, state.tenantId, entry));
      if (!person) {
        if (!typed) return undefined;
        // Kept by UPN: bound to an Entra object id on their first click, never open to anyone.
        people.push({ name: entry, upn: entry });
      } else {
        people.push({ id: person.id || undefined, name: person.name, upn: person.upn });
      }
    }
    return people;
  }

  private cloudView(state: WizardState): PageView {
    return {
      progress: 'Before you start',
      who: STEP_ACTOR_LABELS['global-or-sharepoint-admin'],
      whoStyle: 'accent',
      heading: 'Which Microsoft cloud is your tenant in?',
      instruction:
        'The Microsoft clouds are completely independent: credentials of one cloud never work in another. I pre-selected the cloud of your account; check it, and the account you will sign in with.',
      warnings: [],
      tips: [
        {
          text: 'Use the account’s initial domain (…onmicrosoft.com), which does not change if you rename your domains during the migration.',
        },
      ],
      facts: [],
      code: '',
      helpText:
        'onmicrosoft.com is Microsoft 365 worldwide; onmicrosoft.us is US Government GCC High or DoD; partner.onmschina.cn is China operated by 21Vianet.',
      choiceInputs: [
        {
          id: 'cloud',
          label: 'Microsoft cloud',
          value: state.cloud ?? 'global',
          choices: MICROSOFT_CLOUDS.map((c) => ({ title: `${c.label} (${c.domain})`, value: c.id })),
        },
      ],
      textInputs: [
        {
          id: 'upn',
          label: 'Admin account you will sign in with',
          placeholder: 'admin@contoso.onmicrosoft.com',
          value: state.upn ?? '',
          style: 'email',
          maxLength: 254,
          isRequired: false,
          errorMessage: 'An email-style account name, at most 254 characters.',
        },
      ],
    };
  }

  private submitCloud(state: WizardState, value: Record<string, unknown>): SubmitResult {
    const cloud = value.cloud;
    if (!isMicrosoftCloud(cloud)) return { kind: 'stay', notice: 'Choose one of the Microsoft clouds.' };
    const upn = typeof value.upn === 'string' ? value.upn.trim().slice(0, 254) : '';
    state.cloud = cloud;
    state.upn = upn || undefined;
    if (upn) {
      const fromUpn = cloudOfUpn(upn);
      if (fromUpn.kind === 'invalid')
        return { kind: 'stay', notice: 'That account name does not look like user@domain.' };
      if (fromUpn.kind === 'germany')
        return { kind: 'stay', notice: GERMANY_CLOUD_CLOSED, noticeStyle: 'warning' };
      if (fromUpn.kind === 'known' && !fromUpn.clouds.includes(cloud)) {
        return {
          kind: 'stay',
          notice: cloudMismatchMessage(upn, cloud, fromUpn.clouds),
          noticeStyle: 'warning',
        };
      }
    }
    return { kind: 'next' };
  }
}
