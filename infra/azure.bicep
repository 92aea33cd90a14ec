// Connector Concierge on Azure: App Service (Linux, Node 22 LTS) with a user-assigned managed identity,
// Azure Bot with the Teams channel, Storage (tables + containers the bot uses), Key Vault holding
// the secrets key and the bot's client secret, and Application Insights for telemetry.
// Deployed by `arm/deploy` in m365agents.yml; outputs are written back to env/.env.<env>.
// test/integration/deploy/infraDrift.test.ts checks the app settings below against src/config/config.ts.

@maxLength(20)
@minLength(4)
@description('Used to generate names for all resources in this file')
param resourceBaseName string

param location string = resourceGroup().location

@description('App Service plan SKU; B1 or higher (Always On and health checks need a paid tier)')
param webAppSku string = 'B1'

@maxLength(42)
param botDisplayName string

@description('Client id of the Entra app registration the bot signs in as (aadApp/create writes BOT_ID)')
param botAadAppClientId string

@description('Tenant of that app registration: the bot is single-tenant')
param botAadAppTenantId string

@secure()
@description('Client secret of that app registration; stored in Key Vault, referenced by the app setting')
param botAadAppClientSecret string

@secure()
@description('32-byte base64 key sealing stored connector keys; generated once by m365agents.yml, written to Key Vault only by the first provision (see writeSecretsKey)')
param secretsKey string

param secretsKeySecretName string = 'secrets-key'

@description('AZURE_KEY_VAULT_NAME as an earlier provision of this environment wrote it to env/.env.<env> (empty on the first one). When it names this vault, the secrets key secret is already there and is left as it is.')
param provisionedKeyVaultName string = ''

@description('Write secretsKey over the Key Vault secret although an earlier provision created it. Connector keys sealed with the old key become unreadable (the bot then refuses to start): only to recreate a secret that was lost, never to rotate.')
param replaceSecretsKey bool = false

var baseName = toLower(resourceBaseName)
var storageAccountName = take(replace(replace('${baseName}store', '-', ''), '_', ''), 24)
var keyVaultName = take('${baseName}-kv', 24)
// A secret written on every deployment would replace the key whenever SECRET_SECRETS_KEY is not the
// one of the first provision (another machine, a lost env/.env.<env>.user): every stored connector
// key would then be unreadable. Bicep cannot ask whether the secret exists, so the first provision is
// recognised by env/.env.<env> not yet naming this vault.
var writeSecretsKey = replaceSecretsKey || provisionedKeyVaultName != keyVaultName

// The tables and containers the Azure store adapter uses (src/store/azure/index.ts); it would
// create missing ones itself, these exist so that the first start needs no create permission race.
var tableNames = [
  'conciergeConnectors'
  'conciergeExpiry'
  'conciergeConsent'
  'conciergeConsentRequests'
  'conciergeConversations'
  'conciergeSubscriptions'
  'conciergeOptOuts'
  'conciergeNotices'
  'conciergeSnoozes'
  'conciergeAudit'
  'conciergeTargets'
]
var containerNames = [
  'concierge-bot-state'
  'concierge-leases'
]

// Built-in role definitions (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${baseName}-identity'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Entra ID only: the bot reaches Storage with the managed identity, never an account key.
    allowSharedKeyAccess: false
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// Exactly the two data-plane roles the store needs, on this account only.
resource tableDataRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, storageTableDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource blobDataRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Losing the secrets key makes every stored connector key unreadable: no purge.
    enablePurgeProtection: true
  }
}

resource secretsKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (writeSecretsKey) {
  parent: keyVault
  name: secretsKeySecretName
  properties: {
    value: secretsKey
    contentType: 'base64 AES-256 key'
  }
}

resource botPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'bot-client-secret'
  properties: {
    value: botAadAppClientSecret
  }
}

resource keyVaultSecretsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: keyVault
  name: guid(keyVault.id, identity.id, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: '${baseName}-logs'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${baseName}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
  }
}

resource serverfarm 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: baseName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSku
  }
  properties: {
    reserved: true
  }
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: baseName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    // Key Vault references in app settings resolve with the user-assigned identity.
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|22-lts'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      healthCheckPath: '/healthz'
      appCommandLine: 'node --disable-warning=DEP0111 dist/src/index.js'
      appSettings: [
        {
          // Platform: zip deploy builds on the server, so better-sqlite3's native module matches Linux.
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'true'
        }
        {
          name: 'HOST'
          value: '0.0.0.0'
        }
        {
          name: 'MicrosoftAppId'
          value: botAadAppClientId
        }
        {
          name: 'MicrosoftAppType'
          value: 'SingleTenant'
        }
        {
          name: 'MicrosoftAppTenantId'
          value: botAadAppTenantId
        }
        {
          name: 'MicrosoftAppPassword'
          value: '@Microsoft.KeyVault(VaultName=${keyVault.name};SecretName=${botPasswordSecret.name})'
        }
        {
          name: 'AZURE_STORAGE_BLOB_URL'
          value: 'https://${storage.name}.blob.${environment().suffixes.storage}'
        }
        {
          name: 'AZURE_STORAGE_TABLE_URL'
          value: 'https://${storage.name}.table.${environment().suffixes.storage}'
        }
        {
          name: 'AZURE_CLIENT_ID'
          value: identity.properties.clientId
        }
        {
          name: 'SECRETS_KEY_VAULT_URL'
          value: 'https://${keyVault.name}${environment().suffixes.keyvaultDns}'
        }
        {
          name: 'SECRETS_KEY_SECRET_NAME'
          value: secretsKeySecretName
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
      ]
    }
  }
  dependsOn: [
    tableDataRole
    blobDataRole
    keyVaultSecretsRole
    secretsKeySecret
    tables
    containers
  ]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: baseName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: 'F0'
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: botAadAppClientId
    msaAppTenantId: botAadAppTenantId
    msaAppType: 'SingleTenant'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// Persisted in env/.env.<env> by arm/deploy (https://aka.ms/teamsfx-actions/arm-deploy).
output AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.name
output AZURE_KEY_VAULT_NAME string = keyVault.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
