/**
 * The keys an admin types into the wizard for the object-storage connectors, and the checks they pass
 * before anything is sealed or sent to a service. Error messages never repeat a typed value: an admin
 * may paste a secret into the wrong box, and messages end up on cards and in logs.
 */
import type { ConnectorTypeId } from './catalog';

const KEY_CONNECTOR_TYPE_IDS = [
  'azure-blob',
  'amazon-s3',
  'google-cloud-storage',
] as const satisfies readonly ConnectorTypeId[];

/** The connector types authorized with keys rather than a sign-in. */
export type KeyConnectorTypeId = (typeof KEY_CONNECTOR_TYPE_IDS)[number];

/** One input of the key wizard's card. */
export interface CredentialField {
  /** Key in the card's submit data and in the sealed values. */
  id: string;
  /** Card label; also the subject of this field's error messages. */
  label: string;
  /** Shown masked, sealed at rest, never logged or echoed. */
  secret: boolean;
  required: boolean;
  placeholder: string;
  /** Longest accepted value after trimming; also the card input's maxLength. */
  maxLength: number;
  /** Where to find the value, shown under the input. */
  help?: string;
}

/** The inputs of each key-authorized connector type, in card order. */
export const CREDENTIAL_FIELDS: Record<KeyConnectorTypeId, CredentialField[]> = {
  'azure-blob': [
    {
      id: 'accountName',
      label: 'Storage account name',
      secret: false,
      required: true,
      placeholder: 'mystorageaccount',
      maxLength: 24,
      help: 'Azure portal › Storage accounts: the name of the account, 3–24 lowercase letters and digits.',
    },
    {
      id: 'accountKey',
      label: 'Access key',
      secret: true,
      required: true,
      placeholder: '88 characters ending in ==',
      maxLength: 88,
      help: 'Storage account › Security + networking › Access keys: key1 or key2 (not the connection string).',
    },
    {
      id: 'blobEndpoint',
      label: 'Blob service endpoint',
      secret: false,
      required: false,
      placeholder: 'https://mystorageaccount.blob.core.windows.net',
      maxLength: 256,
      help: 'Only for a sovereign cloud, a private endpoint or the storage emulator; leave empty otherwise.',
    },
  ],
  'amazon-s3': [
    {
      id: 'accessKeyId',
      label: 'Access key ID',
      secret: false,
      required: true,
      placeholder: 'AKIAIOSFODNN7EXAMPLE',
      maxLength: 20,
      help: 'IAM › Users › Security credentials › Access keys: 20 characters starting with AKIA.',
    },
    {
      id: 'secretAccessKey',
      label: 'Secret access key',
      secret: true,
      required: true,
      placeholder: '40 characters',
      maxLength: 40,
      help: 'Shown only once, when the access key is created.',
    },
    {
      id: 'region',
      label: 'Region',
      secret: false,
      required: false,
      placeholder: 'us-east-1',
      maxLength: 20,
    },
  ],
  'google-cloud-storage': [
    {
      id: 'accessKey',
      label: 'HMAC access key',
      secret: false,
      required: true,
      placeholder: 'GOOG…',
      maxLength: 64,
      help: 'Cloud Storage › Settings › Interoperability: the access key, starting with GOOG.',
    },
    {
      id: 'secret',
      label: 'HMAC secret',
      secret: true,
      required: true,
      placeholder: '40 characters',
      maxLength: 40,
      help: 'Shown only once, when the HMAC key is created.',
    },
    {
      id: 'projectId',
      label: 'Project ID',
      secret: false,
      required: true,
      placeholder: 'my-project-123456',
      maxLength: 30,
      help: 'The project ID (not the project name or number) shown on the Google Cloud console dashboard.',
    },
  ],
};

/** Returns the reason a trimmed, non-empty, not-too-long value is refused, or undefined. */
type FormatCheck = (value: string) => string | undefined;

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

function blobEndpointProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a full URL such as https://mystorageaccount.blob.core.windows.net.';
  }
  const loopback = LOOPBACK_HOST.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return 'Use an https:// URL (plain http:// is accepted only for the storage emulator on this machine).';
  }
  if (url.username || url.password) return 'Remove the user name and password from the URL.';
  // A SAS token in the query string would be a second secret stored in a field that is not secret.
  if (url.search || url.hash) return 'Remove everything after ? or # from the URL; the access key is enough.';
  return undefined;
}

const FORMAT_CHECKS: Record<KeyConnectorTypeId, Record<string, FormatCheck>> = {
  'azure-blob': {
    accountName: (v) =>
      /^[a-z0-9]{3,24}$/.test(v)
        ? undefined
        : 'A storage account name has 3–24 lowercase letters and digits.',
    // 64 bytes in base64 are 86 characters and "==" padding; any other shape cannot be an account key.
    accountKey: (v) =>
      /^[A-Za-z0-9+/]{86}==$/.test(v)
        ? undefined
        : 'An access key is 88 base64 characters ending in ==; copy key1 or key2 from the Access keys page.',
    blobEndpoint: blobEndpointProblem,
  },
  'amazon-s3': {
    accessKeyId: (v) =>
      /^(AKIA|ASIA)[A-Z0-9]{16}$/.test(v)
        ? undefined
        : 'An access key ID has 20 uppercase letters and digits and starts with AKIA (or ASIA).',
    secretAccessKey: (v) =>
      /^[A-Za-z0-9/+=]{40}$/.test(v)
        ? undefined
        : 'A secret access key has 40 characters: letters, digits, / + and =.',
    region: (v) =>
      /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(v)
        ? undefined
        : 'Enter a region code such as us-east-1 or eu-west-2.',
  },
  'google-cloud-storage': {
    accessKey: (v) =>
      /^GOOG[A-Z0-9]{20,60}$/.test(v)
        ? undefined
        : 'An HMAC access key starts with GOOG and has 24–64 uppercase letters and digits.',
    secret: (v) =>
      /^[A-Za-z0-9/+]{40}$/.test(v)
        ? undefined
        : 'An HMAC secret has 40 characters: letters, digits, / and +.',
    projectId: (v) =>
      /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(v)
        ? undefined
        : 'A project ID has 6–30 lowercase letters, digits and hyphens, starts with a letter and does not end with a hyphen.',
  },
};

/** True for the types whose wizard asks for keys (see {@link CREDENTIAL_FIELDS}). */
export function isKeyConnectorType(type: string): type is KeyConnectorTypeId {
  return (KEY_CONNECTOR_TYPE_IDS as readonly string[]).includes(type);
}

/**
 * Trims values, checks presence and format; returns per-field error messages (empty object = valid) and the
 * cleaned values. Non-string values count as missing, empty optional fields are left out of `values`, keys
 * that are not fields of the type are ignored, and no message contains a typed value.
 */
export function validateCredentials(
  type: KeyConnectorTypeId,
  input: Record<string, unknown>,
): { values: Record<string, string>; errors: Record<string, string> } {
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const field of CREDENTIAL_FIELDS[type]) {
    const raw = Object.hasOwn(input, field.id) ? input[field.id] : undefined;
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (value === '') {
      if (field.required) errors[field.id] = `${field.label} is required.`;
      continue;
    }
    if (value.length > field.maxLength) {
      errors[field.id] = `${field.label} is too long: at most ${field.maxLength} characters.`;
      continue;
    }
    const problem = FORMAT_CHECKS[type][field.id]?.(value);
    if (problem) errors[field.id] = problem;
    else values[field.id] = value;
  }
  return { values, errors };
}
