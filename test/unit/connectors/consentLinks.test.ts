import { adminConsentUrl, ConsentLinkError, consentLinks } from '../../../src/connectors/consentLinks';
import { MICROSOFT_CLOUDS, type MicrosoftCloud } from '../../../src/connectors/clouds';

const TENANT = '7d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a';
const APP = '5e3ce6c0-2b1f-4285-8d4b-75ee78787346';
const BOT_APP = '0b7f4e5a-1c2d-4e3f-9a8b-7c6d5e4f3a2b';
const GRAPH_APP = '3f2e1d0c-9b8a-4765-8432-10fedcba9876';
const config = {
  adminConsentLink: 'https://aka.ms/office365moverauth',
  connectorAppId: APP,
  bot: { appId: BOT_APP },
  graph: { clientId: GRAPH_APP },
};

describe('direct admin-consent URL', () => {
  test.each([
    ['global', 'https://login.microsoftonline.com'],
    ['usgovhigh', 'https://login.microsoftonline.us'],
    ['dod', 'https://login.microsoftonline.us'],
    ['china', 'https://login.chinacloudapi.cn'],
  ] as [MicrosoftCloud, string][])(
    '%s: tenant-scoped /adminconsent on %s with the client id and no redirect_uri',
    (cloud, host) => {
      const direct = consentLinks({ cloud, tenantId: TENANT }, { config }).links.find(
        (l) => l.title === 'Grant admin consent directly',
      );
      expect(direct?.url).toBe(`${host}/${TENANT}/adminconsent?client_id=${APP}`);
      expect(new URL(direct!.url).searchParams.has('redirect_uri')).toBe(false);
    },
  );

  test('every cloud of the picker is covered by the table above', () => {
    expect(MICROSOFT_CLOUDS.map((c) => c.id).sort()).toEqual(['china', 'dod', 'global', 'usgovhigh']);
  });

  test.each(['global', 'usgovhigh', 'dod', 'china'] as MicrosoftCloud[])(
    '%s: a configured CONSENT_REDIRECT_URI is passed exactly as registered',
    (cloud) => {
      const redirect = 'https://migrate.contoso.com/consent/done/';
      const { links } = consentLinks(
        { cloud, tenantId: TENANT },
        { config: { ...config, consentRedirectUri: redirect } },
      );
      const url = new URL(links.find((l) => l.title === 'Grant admin consent directly')!.url);
      expect(url.pathname).toBe(`/${TENANT}/adminconsent`);
      expect(url.searchParams.get('client_id')).toBe(APP);
      expect(url.searchParams.get('redirect_uri')).toBe(redirect);
    },
  );

  test('ids that are not GUIDs never reach the URL', () => {
    const base = { authorityHost: 'https://login.microsoftonline.com', tenantId: TENANT, clientId: APP };
    expect(() => adminConsentUrl({ ...base, tenantId: 'contoso/../common' })).toThrow(ConsentLinkError);
    expect(() => adminConsentUrl({ ...base, clientId: 'x&redirect_uri=https://evil' })).toThrow(
      ConsentLinkError,
    );
    expect(() => adminConsentUrl({ ...base, redirectUri: 'http://contoso.com/' })).toThrow(ConsentLinkError);
  });

  test('without CONNECTOR_APP_ID the card says why there is no direct URL', () => {
    const { facts, links } = consentLinks(
      { cloud: 'global', tenantId: TENANT },
      { config: { ...config, connectorAppId: undefined } },
    );
    expect(links.map((l) => l.title)).toEqual(['Open the consent link']);
    // URLs are buttons; the only fact says why the direct one is missing.
    expect(facts).toEqual([
      {
        title: 'Direct admin-consent URL',
        value: expect.stringContaining('CONNECTOR_APP_ID is not configured'),
      },
    ]);
  });

  test.each([
    ['the bot', BOT_APP],
    ['the Graph client', GRAPH_APP.toUpperCase()],
  ])(
    "CONNECTOR_APP_ID equal to %s's own app id: no direct URL, which would grant consent to the bot",
    (_, own) => {
      const { facts, links } = consentLinks(
        { cloud: 'global', tenantId: TENANT },
        { config: { ...config, connectorAppId: own } },
      );
      expect(links.map((l) => l.title)).toEqual(['Open the consent link']);
      expect(facts).toEqual([
        {
          title: 'Direct admin-consent URL',
          value: `Not available: CONNECTOR_APP_ID is not set to the connector app: it is this bot's own app id (${own}), and a consent granted to the bot says nothing about the Office 365 Mover app.`,
        },
      ]);
    },
  );
});
