import { CONNECTOR_TYPES } from '../../../src/connectors/catalog';
import {
  CREDENTIAL_FIELDS,
  isKeyConnectorType,
  validateCredentials,
  type KeyConnectorTypeId,
} from '../../../src/connectors/credentials';

const AZURE_KEY = `${'Ab1+/'.repeat(17)}A==`; // 86 base64 characters + "==": 64 bytes
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const GCS_SECRET = 'bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ';

const VALID: Record<KeyConnectorTypeId, Record<string, string>> = {
  'azure-blob': { accountName: 'contosomigration01', accountKey: AZURE_KEY },
  'amazon-s3': { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: AWS_SECRET },
  'google-cloud-storage': {
    accessKey: 'GOOGTS7C7FUP3AIRVJTE2BCDKINBTES3HC2GY5CBFJDCQ2SYHV6A6XXVTJFSA',
    secret: GCS_SECRET,
    projectId: 'contoso-migration-42',
  },
};

const SECRETS = [AZURE_KEY, AWS_SECRET, GCS_SECRET];

const TYPES = Object.keys(CREDENTIAL_FIELDS) as KeyConnectorTypeId[];

function expectNoValueInMessages(errors: Record<string, string>, values: string[]): void {
  for (const message of Object.values(errors)) {
    for (const value of values) expect(message).not.toContain(value);
  }
}

describe('the key connector types', () => {
  test('are exactly the catalog types authorized with keys', () => {
    const keyTypes = CONNECTOR_TYPES.filter((t) => t.authorization === 'keys').map((t) => t.id);
    expect([...keyTypes].sort()).toEqual([...TYPES].sort());
    for (const type of CONNECTOR_TYPES)
      expect(isKeyConnectorType(type.id)).toBe(type.authorization === 'keys');
    expect(isKeyConnectorType('toString')).toBe(false);
    expect(isKeyConnectorType('')).toBe(false);
  });

  test.each(TYPES)('%s: field ids are unique and secrets are the key fields', (type) => {
    const fields = CREDENTIAL_FIELDS[type];
    expect(new Set(fields.map((f) => f.id)).size).toBe(fields.length);
    expect(fields.filter((f) => f.secret).map((f) => f.id)).toEqual(
      { 'azure-blob': ['accountKey'], 'amazon-s3': ['secretAccessKey'], 'google-cloud-storage': ['secret'] }[
        type
      ],
    );
    for (const field of fields) expect(field.maxLength).toBeGreaterThan(0);
  });
});

describe('validateCredentials', () => {
  test.each(TYPES)('%s: a valid set passes with trimmed values', (type) => {
    const padded = Object.fromEntries(Object.entries(VALID[type]).map(([k, v]) => [k, `  ${v}\n`]));
    const result = validateCredentials(type, { ...padded, somethingElse: 'ignored', verb: 'submit' });
    expect(result.errors).toEqual({});
    expect(result.values).toEqual(VALID[type]);
  });

  test('optional fields are kept when valid and left out when empty', () => {
    expect(
      validateCredentials('azure-blob', {
        ...VALID['azure-blob'],
        blobEndpoint: ' https://contosomigration01.blob.core.usgovcloudapi.net ',
      }).values.blobEndpoint,
    ).toBe('https://contosomigration01.blob.core.usgovcloudapi.net');
    for (const region of ['us-east-1', 'eu-west-2', 'us-gov-west-1', 'ap-southeast-2']) {
      const result = validateCredentials('amazon-s3', { ...VALID['amazon-s3'], region });
      expect(result).toEqual({ values: { ...VALID['amazon-s3'], region }, errors: {} });
    }
    const empty = validateCredentials('amazon-s3', { ...VALID['amazon-s3'], region: '   ' });
    expect(empty.errors).toEqual({});
    expect(empty.values).not.toHaveProperty('region');
  });

  test.each([
    'http://127.0.0.1:10000/devstoreaccount1',
    'http://localhost:10000/devstoreaccount1',
    'http://[::1]:10000/devstoreaccount1',
    'https://contosomigration01.privatelink.blob.core.windows.net/',
  ])('accepts the blob endpoint %s', (blobEndpoint) => {
    expect(validateCredentials('azure-blob', { ...VALID['azure-blob'], blobEndpoint }).errors).toEqual({});
  });

  test.each([
    ['not a url', /full URL/],
    ['http://contosomigration01.blob.core.windows.net', /https/],
    ['http://169.254.169.254/latest', /https/],
    ['ftp://127.0.0.1/x', /https/],
    ['https://user:pw@contoso.blob.core.windows.net', /user name and password/],
    ['https://contoso.blob.core.windows.net/?sv=2024-01-01&sig=abc', /after \?/],
  ])('refuses the blob endpoint %s', (blobEndpoint, message) => {
    const { errors, values } = validateCredentials('azure-blob', { ...VALID['azure-blob'], blobEndpoint });
    expect(errors.blobEndpoint).toMatch(message);
    expect(errors.blobEndpoint).not.toContain(blobEndpoint);
    expect(values).not.toHaveProperty('blobEndpoint');
  });

  const BAD_FORMATS: [KeyConnectorTypeId, string, string][] = [
    ['azure-blob', 'accountName', 'ab'],
    ['azure-blob', 'accountName', 'Contoso'],
    ['azure-blob', 'accountName', 'contoso-migration'],
    ['azure-blob', 'accountKey', AZURE_KEY.slice(0, 84) + '===='],
    ['azure-blob', 'accountKey', AZURE_KEY.slice(0, 44)],
    ['azure-blob', 'accountKey', AZURE_KEY.replace('+', '-')],
    ['amazon-s3', 'accessKeyId', 'AKIAIOSFODNN7EXAMPL'],
    ['amazon-s3', 'accessKeyId', 'AKIAiosfodnn7example'],
    ['amazon-s3', 'accessKeyId', 'ABIAIOSFODNN7EXAMPLE'],
    ['amazon-s3', 'secretAccessKey', AWS_SECRET.slice(0, 39)],
    ['amazon-s3', 'secretAccessKey', AWS_SECRET.slice(0, 39) + '-'],
    ['amazon-s3', 'region', 'US-EAST-1'],
    ['amazon-s3', 'region', 'useast1'],
    ['google-cloud-storage', 'accessKey', 'GOOG1234'],
    ['google-cloud-storage', 'accessKey', 'AKIAIOSFODNN7EXAMPLE12345'],
    ['google-cloud-storage', 'accessKey', 'GOOGts7c7fup3airvjte2bcd'],
    ['google-cloud-storage', 'secret', GCS_SECRET.slice(0, 39) + '='],
    ['google-cloud-storage', 'secret', GCS_SECRET.slice(1)],
    ['google-cloud-storage', 'projectId', '1contoso'],
    ['google-cloud-storage', 'projectId', 'contoso-'],
    ['google-cloud-storage', 'projectId', 'abc'],
    ['google-cloud-storage', 'projectId', 'Contoso-Migration'],
  ];

  test.each(BAD_FORMATS)('%s: a malformed %s (%s) is refused on that field only', (type, field, value) => {
    const { errors, values } = validateCredentials(type, { ...VALID[type], [field]: value });
    expect(Object.keys(errors)).toEqual([field]);
    expect(errors[field]).not.toContain(value);
    expect(values).not.toHaveProperty(field);
  });

  test.each(TYPES)('%s: every required field, missing, empty or not a string, is reported', (type) => {
    const required = CREDENTIAL_FIELDS[type].filter((f) => f.required);
    expect(Object.keys(validateCredentials(type, {}).errors).sort()).toEqual(
      required.map((f) => f.id).sort(),
    );
    for (const field of required) {
      for (const bad of [undefined, null, '', '   ', 42, true, ['x'], { value: VALID[type][field.id] }]) {
        const { errors, values } = validateCredentials(type, { ...VALID[type], [field.id]: bad });
        expect(errors).toEqual({ [field.id]: `${field.label} is required.` });
        expect(values).not.toHaveProperty(field.id);
      }
    }
  });

  test.each(TYPES)('%s: a value longer than maxLength is refused without echoing it', (type) => {
    for (const field of CREDENTIAL_FIELDS[type]) {
      const tooLong = 'a'.repeat(field.maxLength + 1);
      const { errors } = validateCredentials(type, { ...VALID[type], [field.id]: tooLong });
      expect(errors).toEqual({
        [field.id]: expect.stringContaining(`at most ${field.maxLength} characters`),
      });
      expect(errors[field.id]).not.toContain(tooLong.slice(0, 10));
    }
  });

  test('a secret never appears in any error message, wherever it is typed', () => {
    for (const type of TYPES) {
      for (const field of CREDENTIAL_FIELDS[type]) {
        for (const secret of SECRETS) {
          for (const typed of [secret, `${secret}!`, `${secret}${secret}`]) {
            const { errors } = validateCredentials(type, { ...VALID[type], [field.id]: typed });
            expectNoValueInMessages(errors, SECRETS);
            expectNoValueInMessages(errors, [typed.slice(0, 12), typed.slice(-12)]);
          }
        }
      }
    }
  });

  test('input objects without a prototype and inherited keys are handled', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, VALID['amazon-s3']);
    expect(validateCredentials('amazon-s3', bare).errors).toEqual({});
    const inherited = Object.create({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }) as Record<string, unknown>;
    inherited.secretAccessKey = AWS_SECRET;
    expect(Object.keys(validateCredentials('amazon-s3', inherited).errors)).toEqual(['accessKeyId']);
  });
});
