import { commandButton, type MessageCardData } from '../../cards/messageCard';
import { connectorType } from '../../connectors/catalog';
import { AMAZON_S3_IAM_POLICY, STEP_ACTOR_LABELS, type StepActor } from '../../connectors/authorizationSteps';
import type { Connector } from '../../connectors/connector';
import { describeState } from '../../connectors/provenance';
import {
  CREDENTIAL_FIELDS,
  validateCredentials,
  type KeyConnectorTypeId,
} from '../../connectors/credentials';
import type { SecretBox } from '../../secrets/secretBox';
import { CLOUD_HOSTS } from '../../config/config';
import { describeBlobEndpointRules, isAllowedBlobEndpoint } from '../../config/blobEndpoints';
import type { Logger } from '../../util/logger';
import type { KeyVerifier } from '../../verification/keyVerifier';
import {
  nextButton,
  type FlowEnv,
  type PageView,
  type SubmitResult,
  type WizardFlow,
  type WizardState,
} from '../wizardFlow';
import { markdown, md, type Markdown } from '../../cards/markdown';

const PREP_PAGE = 'keys-prep';
const KEYS_PAGE = 'keys';

/** Where each key type's keys come from, and who can get them. */
const PREPARATION: Record<
  KeyConnectorTypeId,
  { who: StepActor; heading: string; instruction: Markdown; code?: string }
> = {
  'azure-blob': {
    who: 'storage-admin',
    heading: 'Get the storage account name and an access key',
    instruction: markdown(
      'In the Azure portal, open the storage account, then **Security + networking › Access keys**. Copy the storage account name and one of its two keys (key1 or key2). The migration service reads the account with that key.',
    ),
  },
  'amazon-s3': {
    who: 'aws-admin',
    heading: 'Create an IAM access key for the migration',
    instruction: markdown(
      'In the AWS IAM console, create a user for the migration and attach the policy below (it can list the buckets and read their objects, nothing more). Then, under **Security credentials › Create access key**, create a key and copy the access key id and the secret access key: AWS shows the secret only once.',
    ),
    code: AMAZON_S3_IAM_POLICY,
  },
  'google-cloud-storage': {
    who: 'gcp-admin',
    heading: 'Create an HMAC key for the migration',
    instruction: markdown(
      'In the Google Cloud console, open **Cloud Storage › Settings › Interoperability**. Create an HMAC key for a service account that can read the buckets, copy the access key and its secret, and note the project id (shown on the project dashboard).',
    ),
  },
};

/** Keys are checked against the service only where the bot has a client for it. */
const SERVICE_NAMES: Record<KeyConnectorTypeId, string> = {
  'azure-blob': 'Azure Storage',
  'amazon-s3': 'Amazon S3',
  'google-cloud-storage': 'Google Cloud Storage',
};

/**
 * A connector authorized with keys typed into the card (Azure Blob, Amazon S3, Google Cloud
 * Storage). The keys card is replaced as soon as it is submitted, keys are sealed with
 * AES-256-GCM bound to the connector, and never logged, echoed or returned.
 */
export class KeysFlow implements WizardFlow {
  readonly type;
  readonly authorizer;

  constructor(
    private readonly typeId: KeyConnectorTypeId,
    private readonly secretBox: SecretBox,
    private readonly verifier: KeyVerifier,
    private readonly logger?: Logger,
  ) {
    this.type = connectorType(typeId);
    this.authorizer = PREPARATION[typeId].who;
  }

  pages(): string[] {
    return [PREP_PAGE, KEYS_PAGE];
  }

  /** Keys are the authorization: renewing it means new keys, prepared the same way. */
  reauthorizePages(): string[] {
    return this.pages();
  }

  view(state: WizardState, page: string): PageView {
    const prep = PREPARATION[this.typeId];
    if (page === PREP_PAGE) {
      return {
        progress: 'Step 1 of 2',
        who: STEP_ACTOR_LABELS[prep.who],
        whoStyle: 'accent',
        heading: prep.heading,
        instruction: prep.instruction,
        warnings: [],
        tips: [
          {
            text: 'Keys give access to your data: create them for the migration only, and delete them when it is done.',
          },
        ],
        facts: [],
        code: prep.code ?? '',
        helpText:
          'Without keys that can list and read the storage, the migration service is unable to communicate with it.',
      };
    }
    return {
      progress: 'Step 2 of 2',
      who: STEP_ACTOR_LABELS[prep.who],
      whoStyle: 'accent',
      heading: 'Enter the keys',
      instruction: `Type the values below. I replace this card as soon as you submit it, store the keys encrypted, and never show them again.`,
      warnings: [],
      tips: [],
      facts: [],
      code: '',
      helpText: markdown(
        CREDENTIAL_FIELDS[this.typeId]
          .map((f) => md`**${f.label}**: ${f.help ?? f.placeholder}`.source)
          .join('\n\n'),
      ),
      textInputs: CREDENTIAL_FIELDS[this.typeId].map((field) => ({
        id: field.id,
        label: field.required ? field.label : `${field.label} (optional)`,
        placeholder: field.placeholder,
        value: field.secret ? '' : (state.draft?.[field.id] ?? ''),
        style: field.secret ? ('password' as const) : ('text' as const),
        maxLength: field.maxLength,
        isRequired: field.required,
        errorMessage: `${field.label} is required.`,
      })),
      buttons: [nextButton('Save the keys')],
    };
  }

  async submit(
    state: WizardState,
    page: string,
    _move: string,
    value: Record<string, unknown>,
    env: FlowEnv,
  ): Promise<SubmitResult> {
    if (page === PREP_PAGE) return { kind: 'next' };
    const { values, errors } = validateCredentials(this.typeId, value);
    state.draft = Object.fromEntries(
      CREDENTIAL_FIELDS[this.typeId]
        .filter((f) => !f.secret && values[f.id])
        .map((f) => [f.id, values[f.id]]),
    );
    const problems = Object.values(errors);
    if (problems.length > 0) return { kind: 'stay', notice: problems.join(' ') };
    if (values.blobEndpoint?.startsWith('http://') && !env.config.anonymous) {
      // Plain http is for the local storage emulator; a deployed bot must not be pointed at its own machine.
      return { kind: 'stay', notice: 'The blob endpoint must use https.' };
    }
    if (values.blobEndpoint && !isAllowedBlobEndpoint(values.blobEndpoint, env.config.blobEndpoints)) {
      // Keys are sent only to storage of the bot's cloud: anything else could be used to reach
      // hosts inside the bot's network, or to collect the key.
      this.logger?.warn('keys wizard: blob endpoint refused', {
        tenantId: state.tenantId,
        host: new URL(values.blobEndpoint).host,
        allowed: describeBlobEndpointRules(env.config.blobEndpoints),
      });
      return {
        kind: 'stay',
        notice: `The blob endpoint must be ${describeBlobEndpointRules(env.config.blobEndpoints)}, the storage of this bot's cloud (${CLOUD_HOSTS[env.config.cloud].label}); nothing was sent to it. Leave it empty for the account's usual address, or ask the bot's operator to add the suffix to BLOB_ENDPOINT_SUFFIXES.`,
      };
    }
    await env.showProgress('Checking the keys', `Checking the keys with ${SERVICE_NAMES[this.typeId]}…`);
    const check = await this.verifier.verify(this.typeId, values, env.config.cloud);
    if (this.typeId === 'azure-blob' && !check.verified) {
      return { kind: 'stay', notice: `${check.detail} Nothing was saved; enter the keys again.` };
    }
    state.draft = undefined;
    return {
      kind: 'finish',
      outcome: {
        status: 'authorized',
        keysVerified: check.verified,
        // Only the Azure check lists containers; the others check the format alone.
        verifiedBy: this.typeId === 'azure-blob' && check.verified ? 'container-listing' : undefined,
        sealedSecret: this.secretBox.seal(values, `${state.tenantId}/${state.connectorId}`),
      },
    };
  }

  done(_state: WizardState, connector: Connector, env: FlowEnv): MessageCardData {
    return {
      title: `${this.type.name} authorized`,
      text: connector.keysVerified
        ? md`**${connector.displayName}** is ready: the keys were checked with ${SERVICE_NAMES[this.typeId]} and stored encrypted.`
        : md`**${connector.displayName}** is saved with keys of the right format, stored encrypted. They were not tested against ${SERVICE_NAMES[this.typeId]} (unverified): the first transfer will tell.`,
      style: connector.keysVerified ? 'good' : 'warning',
      paragraphs: [],
      facts: [
        { title: 'Status', value: describeState(connector, env.dates.dateTime) },
        { title: 'Keys', value: connector.keysVerified ? 'verified' : 'unverified' },
        { title: 'Deauthorized after', value: `${env.config.inactivityDays} days without a transfer` },
      ],
      links: [],
      buttons: [commandButton('Show connectors', 'connectors')],
    };
  }
}
