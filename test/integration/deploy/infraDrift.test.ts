import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config/config';
import { DEFAULT_PREFIX, TABLE_SUFFIXES, containerNames } from '../../../src/store/azure';

// No Bicep compiler or Agents Toolkit runs here: these checks read the files as text, so that the
// template cannot drift from the code (a setting the bot no longer reads, one it needs and lacks).

const root = path.join(__dirname, '..', '..', '..');
const readText = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** App Service's own settings: read by the platform, not by the bot. */
const PLATFORM_SETTINGS = new Set(['SCM_DO_BUILD_DURING_DEPLOYMENT']);

/** What the Azure deployment must set: Bot Framework credentials, a public bind, Storage and the key by identity. */
const REQUIRED_SETTINGS = [
  'HOST',
  'MicrosoftAppId',
  'MicrosoftAppPassword',
  'MicrosoftAppType',
  'MicrosoftAppTenantId',
  'AZURE_STORAGE_BLOB_URL',
  'AZURE_STORAGE_TABLE_URL',
  'AZURE_CLIENT_ID',
  'SECRETS_KEY_VAULT_URL',
  'SECRETS_KEY_SECRET_NAME',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
];

/** Settings that would put a secret in app settings or a file on one replica's disk. */
const FORBIDDEN_SETTINGS = [
  'AZURE_STORAGE_CONNECTION_STRING',
  'SECRETS_KEY',
  'DATA_DIR',
  'AZURE_CLIENT_SECRET',
];

/** Environment variables the Agents Toolkit itself provides. */
const TOOLKIT_BUILT_INS = new Set(['TEAMSFX_ENV', 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP_NAME']);

/** Every environment variable name src/config/config.ts reads (`read(env, 'X')`, `env.X`, `env['X']`). */
function configNames(): Set<string> {
  const source = readText('src/config/config.ts');
  const names = new Set<string>();
  for (const pattern of [
    /\(\s*env\s*,\s*'([A-Za-z_][A-Za-z0-9_]*)'/g,
    /\benv\.([A-Za-z_][A-Za-z0-9_]*)/g,
    /\benv\[\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*\]/g,
  ]) {
    for (const match of source.matchAll(pattern)) names.add(match[1]);
  }
  return names;
}

interface AppSetting {
  name: string;
  /** The Bicep expression, as written. */
  value: string;
}

/** The `appSettings: [ … ]` entries of the web app, by regular expression over the Bicep text. */
function bicepAppSettings(bicep: string): AppSetting[] {
  const withoutComments = bicep.replace(/^\s*\/\/.*$/gm, '');
  const block = /appSettings:\s*\[([\s\S]*?)\n\s*\]\s*\n/.exec(withoutComments);
  if (!block) throw new Error('infra/azure.bicep has no appSettings block');
  const settings: AppSetting[] = [];
  for (const entry of block[1].matchAll(/\{\s*name:\s*'([^']+)'\s*value:\s*(.+?)\s*\n\s*\}/g)) {
    settings.push({ name: entry[1], value: entry[2].trim() });
  }
  return settings;
}

/**
 * What Azure puts in place of each Bicep expression at deployment, for `loadConfig`. An
 * expression missing here fails the test: a new setting needs a thought about its real value.
 */
const DEPLOYED_VALUES: Record<string, string> = {
  botAadAppClientId: '11111111-2222-3333-4444-555555555555',
  botAadAppTenantId: '66666666-7777-8888-9999-aaaaaaaaaaaa',
  'identity.properties.clientId': 'bbbbbbbb-cccc-dddd-eeee-ffffffffffff',
  'appInsights.properties.ConnectionString':
    'InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
  secretsKeySecretName: 'secrets-key',
  'keyVault.name': 'conciergedev-kv',
  'botPasswordSecret.name': 'bot-client-secret',
  'storage.name': 'conciergedevstore',
  'environment().suffixes.storage': 'core.windows.net',
  'environment().suffixes.keyvaultDns': '.vault.azure.net',
};

function deployedValue(expression: string): string {
  const literal = /^'(.*)'$/.exec(expression);
  if (literal) {
    return literal[1].replace(/\$\{([^}]+)\}/g, (_, inner: string) => {
      const value = DEPLOYED_VALUES[inner.trim()];
      if (value === undefined) throw new Error(`no deployed value for the Bicep expression ${inner}`);
      return value;
    });
  }
  const value = DEPLOYED_VALUES[expression];
  if (value === undefined) throw new Error(`no deployed value for the Bicep expression ${expression}`);
  return value;
}

/** `${{NAME}}` placeholders of a toolkit file. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]);
}

/** Names assigned in a dotenv file (empty values included). */
function envFileNames(text: string): Set<string> {
  return new Set([...text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=/gm)].map((m) => m[1]));
}

interface Action {
  uses: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}

/** Actions of the Agents Toolkit's schema v1.11 that this project uses. */
const KNOWN_ACTIONS = new Set([
  'script',
  'aadApp/create',
  'arm/deploy',
  'cli/runNpmCommand',
  'teamsApp/validateAppPackage',
  'teamsApp/update',
  'azureAppService/zipDeploy',
  'teamsApp/publishAppPackage',
]);

const bicep = readText('infra/azure.bicep');
const settings = bicepAppSettings(bicep);
const project = parse(readText('m365agents.yml')) as Record<string, unknown>;
const envDev = readText('env/.env.dev');
const parametersText = readText('infra/azure.parameters.json');

describe('infra/azure.bicep app settings', () => {
  it('lists only settings the bot reads in src/config/config.ts, besides the platform’s own', () => {
    const known = new Set(configNames());
    const unknown = settings.map((s) => s.name).filter((n) => !known.has(n) && !PLATFORM_SETTINGS.has(n));
    expect(unknown).toEqual([]);
    expect(settings.length).toBeGreaterThanOrEqual(REQUIRED_SETTINGS.length);
  });

  it('sets every setting an Azure deployment needs, and none that would hold a secret or local state', () => {
    const names = settings.map((s) => s.name);
    expect(REQUIRED_SETTINGS.filter((n) => !names.includes(n))).toEqual([]);
    expect(FORBIDDEN_SETTINGS.filter((n) => names.includes(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('passes the bot’s own start-up validation with the values Azure fills in', () => {
    const env = Object.fromEntries(
      settings.filter((s) => !PLATFORM_SETTINGS.has(s.name)).map((s) => [s.name, deployedValue(s.value)]),
    );
    // The client secret is a Key Vault reference that App Service resolves with the identity.
    expect(env.MicrosoftAppPassword).toMatch(/^@Microsoft\.KeyVault\(VaultName=[^;]+;SecretName=[^)]+\)$/);
    // Left unresolved (the identity cannot read the vault yet), App Service passes the reference
    // through as text: the bot refuses it rather than signing in with it.
    expect(() => loadConfig(env)).toThrow(
      /^MicrosoftAppPassword: is a Key Vault reference App Service did not resolve/,
    );
    const config = loadConfig({ ...env, MicrosoftAppPassword: 'the secret App Service read from the vault' });
    expect(config.anonymous).toBe(false);
    expect(config.host).toBe('0.0.0.0');
    expect(config.bot.appType).toBe('SingleTenant');
    expect(config.telemetry.applicationInsightsConnectionString).toMatch(/^InstrumentationKey=/);
  });

  it('creates the tables and containers the Azure store adapter uses', () => {
    const list = (name: string) => {
      const match = new RegExp(`var ${name} = \\[([\\s\\S]*?)\\]`).exec(bicep);
      return [...(match?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
    };
    const containers = containerNames(DEFAULT_PREFIX);
    expect(list('tableNames')).toEqual(
      Object.values(TABLE_SUFFIXES)
        .map((s) => `${DEFAULT_PREFIX}${s}`)
        .sort(),
    );
    expect(list('containerNames')).toEqual([containers.state, containers.leases].sort());
  });

  it('gives the managed identity exactly the two Storage data roles and Key Vault Secrets User', () => {
    const roleIds: Record<string, string> = {};
    for (const m of bicep.matchAll(/var (\w+) = '([0-9a-f-]{36})'/g)) roleIds[m[1]] = m[2];
    expect(roleIds).toEqual({
      storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
      storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
      keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
    });
    const assignments = [
      ...bicep.matchAll(
        /resource \w+ 'Microsoft\.Authorization\/roleAssignments@[^']+' = \{\s*scope: (\w+)[\s\S]*?roleDefinitions', (\w+)\)\s*principalId: ([\w.]+)/g,
      ),
    ].map((m) => ({ scope: m[1], role: m[2], principal: m[3] }));
    expect(assignments).toEqual([
      { scope: 'storage', role: 'storageTableDataContributor', principal: 'identity.properties.principalId' },
      { scope: 'storage', role: 'storageBlobDataContributor', principal: 'identity.properties.principalId' },
      { scope: 'keyVault', role: 'keyVaultSecretsUser', principal: 'identity.properties.principalId' },
    ]);
    expect(bicep.match(/roleAssignments@/g)).toHaveLength(3);
    expect(bicep).toMatch(/allowSharedKeyAccess: false/);
  });

  it('writes the secrets key to Key Vault only on the first provision of an environment, or when asked', () => {
    // Written on every provision, a key made on another machine would replace the one that sealed
    // the stored connector keys.
    expect(bicep).toMatch(
      /^resource secretsKeySecret 'Microsoft\.KeyVault\/vaults\/secrets@[^']+' = if \(writeSecretsKey\) \{$/m,
    );
    expect(bicep).toMatch(
      /^var writeSecretsKey = replaceSecretsKey \|\| provisionedKeyVaultName != keyVaultName$/m,
    );
    expect(bicep).toMatch(/^param replaceSecretsKey bool = false$/m);
    expect(bicep).toMatch(/^param provisionedKeyVaultName string = ''$/m);
    // The vault's name comes back as AZURE_KEY_VAULT_NAME, which the next provision passes in.
    expect(bicep).toMatch(/^resource keyVault [^\n]*\{\s*name: keyVaultName$/m);
    expect(bicep).toMatch(/^output AZURE_KEY_VAULT_NAME string = keyVault\.name$/m);
    const parameters = (JSON.parse(parametersText) as { parameters: Record<string, { value: unknown }> })
      .parameters;
    expect(parameters.provisionedKeyVaultName).toEqual({ value: '${{AZURE_KEY_VAULT_NAME}}' });
    // Replacing the key is never the default of a provision.
    expect(parameters.replaceSecretsKey).toBeUndefined();
    // The app setting names the secret without depending on it being written by this deployment.
    expect(settings.find((s) => s.name === 'SECRETS_KEY_SECRET_NAME')?.value).toBe('secretsKeySecretName');
  });

  it('registers the Azure Bot with the Teams channel at the web app’s /api/messages', () => {
    expect(bicep).toMatch(/'Microsoft\.BotService\/botServices@[^']+'/);
    expect(bicep).toMatch(/endpoint: 'https:\/\/\$\{webApp\.properties\.defaultHostName\}\/api\/messages'/);
    expect(bicep).toMatch(/channelName: 'MsTeamsChannel'/);
    expect(bicep).toMatch(/healthCheckPath: '\/healthz'/);
    // Node 22 LTS, as the Docker image (Node 20 reached end of life on 2026-04-30).
    expect(bicep).toMatch(/^\s*linuxFxVersion: 'NODE\|22-lts'$/m);
  });
});

describe('m365agents.yml and its environment', () => {
  const stages = ['provision', 'deploy', 'publish'] as const;

  it('has provision, deploy and publish made of known toolkit actions', () => {
    expect(project.version).toBe('v1.11');
    expect(project.environmentFolderPath).toBe('./env');
    for (const stage of stages) {
      const actions = project[stage] as Action[];
      expect(Array.isArray(actions) && actions.length > 0).toBe(true);
      expect(actions.map((a) => a.uses).filter((u) => !KNOWN_ACTIONS.has(u))).toEqual([]);
    }
  });

  it('deploys the Bicep template with parameters for every parameter that has no default', () => {
    const armDeploy = (project.provision as Action[]).find((a) => a.uses === 'arm/deploy');
    const templates = armDeploy?.with?.templates as { path: string; parameters: string }[];
    expect(templates).toEqual([
      expect.objectContaining({ path: './infra/azure.bicep', parameters: './infra/azure.parameters.json' }),
    ]);
    const required = [...bicep.matchAll(/^param (\w+) \w+\s*$/gm)].map((m) => m[1]).sort();
    const given = Object.keys((JSON.parse(parametersText) as { parameters: object }).parameters);
    const declared = [...bicep.matchAll(/^param (\w+) /gm)].map((m) => m[1]);
    expect(required.filter((p) => !given.includes(p))).toEqual([]);
    expect(given.filter((p) => !declared.includes(p))).toEqual([]);
  });

  it('fills every placeholder from env/.env.dev, a built-in, or an earlier step', () => {
    const available = new Set([...TOOLKIT_BUILT_INS, ...envFileNames(envDev)]);
    const missing: string[] = [];
    for (const stage of stages) {
      for (const action of project[stage] as Action[]) {
        const text = JSON.stringify({ with: action.with, env: action.env });
        const used =
          action.uses === 'arm/deploy'
            ? [...placeholders(text), ...placeholders(parametersText)]
            : placeholders(text);
        missing.push(
          ...used.filter((name) => !available.has(name)).map((name) => `${stage}/${action.uses}: ${name}`),
        );
        for (const name of Object.values(action.writeToEnvironmentFile ?? {})) available.add(name);
        for (const m of text.matchAll(/::set-teamsfx-env (\w+)=/g)) available.add(m[1]);
        if (action.uses === 'arm/deploy') {
          for (const m of bicep.matchAll(/^output (\w+) /gm)) available.add(m[1]);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('keeps secrets out of the committed environment file and lists every value provision writes', () => {
    expect([...envFileNames(envDev)].filter((n) => n.startsWith('SECRET_'))).toEqual([]);
    const written = [
      ...(project.provision as Action[]).flatMap((a) => Object.values(a.writeToEnvironmentFile ?? {})),
      ...[...bicep.matchAll(/^output (\w+) /gm)].map((m) => m[1]),
    ].filter((n) => !n.startsWith('SECRET_'));
    expect(written.filter((n) => !envFileNames(envDev).has(n))).toEqual([]);
    expect(readText('.gitignore')).toMatch(/^env\/\.env\.\*\.user$/m);
  });

  it('points at files that exist, and at the zip npm run package writes', () => {
    for (const file of [
      'infra/azure.bicep',
      'infra/azure.parameters.json',
      '.webappignore',
      'appPackage/manifest.json',
    ]) {
      expect(fs.existsSync(path.join(root, file))).toBe(true);
    }
    expect(readText('scripts/package-app.mjs')).toMatch(/join\(appDir, 'build', 'appPackage\.zip'\)/);
    const zips = stages.flatMap((stage) =>
      (project[stage] as Action[])
        .map((a) => a.with?.appPackagePath)
        .filter((p): p is string => typeof p === 'string'),
    );
    expect(new Set(zips)).toEqual(new Set(['./appPackage/build/appPackage.zip']));
  });
});
