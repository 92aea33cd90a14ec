// End-to-end test through the Microsoft 365 Agents Playground UI (npm run test:e2e).
//
// Starts the compiled bot (anonymous, fresh data directory) and one Playground on free loopback ports, then
// drives the Playground's web UI in headless Chromium (/usr/bin/chromium through playwright-core) as Megan
// Bowen, the SharePoint admin of .m365agentsplayground.yml: sends `help`, follows a card button, and runs
// `connect office365` from the display name to "authorized" by clicking the card buttons, checking what each
// card shows. Nothing leaves loopback: the Playground runs with playground/loopback-only.cjs and Chromium
// aborts every other request. Prints one line per check and "N passed, N failed"; exits 1 on a failure.

/* global fetch, URL */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { launchChromium } from '../../playground/chromium.mjs';
import { freePort, startBot, startPlayground, tail } from '../../playground/launcher.mjs';

const USER_UPN = 'meganb@contoso.onmicrosoft.com';
const CONNECTOR_NAME = 'E2E destination';
const CARD_TIMEOUT_MS = 15000;
const OVERALL_TIMEOUT_MS = 240000;
const WIZARD_TITLE = 'Authorize the Office 365 Connector';

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const results = [];
const warnings = [];
const work = mkdtempSync(join(tmpdir(), 'concierge-e2e-'));
const artifacts = process.env.E2E_ARTIFACTS || join(tmpdir(), 'concierge-e2e-artifacts');
let bot;
let playground;
let browser;
let page;
let cleaning;

async function cleanUp() {
  cleaning ??= (async () => {
    await browser?.close().catch((e) => console.log(`e2e: closing Chromium: ${e.message}`));
    await playground?.stop().catch((e) => console.log(`e2e: stopping the Playground: ${e.message}`));
    await bot?.stop().catch((e) => console.log(`e2e: stopping the bot: ${e.message}`));
    try {
      rmSync(work, { recursive: true, force: true, maxRetries: 5 });
    } catch (e) {
      console.log(`e2e: could not remove ${work}: ${e.message}`);
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.log(`e2e: ${signal}: stopping`);
    void cleanUp().then(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  console.log(`e2e: FAIL: the run took longer than ${OVERALL_TIMEOUT_MS / 1000} s; stopping`);
  void cleanUp().then(() => process.exit(1));
}, OVERALL_TIMEOUT_MS);

/** Runs one check; after the first failure the remaining checks are reported as not run. */
async function check(name, fn) {
  if (results.some((r) => r.status === 'FAIL')) {
    results.push({ name, status: 'SKIP' });
    console.log(`SKIP ${name} (an earlier check failed)`);
    return;
  }
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, status: 'PASS' });
    console.log(`PASS ${name} (${seconds(t0)})`);
    if (process.env.E2E_ARTIFACTS && page) await screenshot(name);
  } catch (err) {
    results.push({ name, status: 'FAIL' });
    console.log(
      `FAIL ${name} (${seconds(t0)})\n     ${String(err?.message ?? err)
        .split('\n')
        .join('\n     ')}`,
    );
    if (page) console.log(`     screenshot: ${await screenshot(name)}`);
  }
}

/** Saves the page as it is now; E2E_ARTIFACTS=<dir> keeps one per check, failures are always kept. */
async function screenshot(name) {
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, `${results.length}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
  await page.screenshot({ path: file }).catch(() => {});
  return file;
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** The rendered Adaptive Cards of the open conversation that contain `text`. */
const cards = (text) => page.locator('.ac-adaptiveCard', { hasText: text });

/** Waits for exactly one card containing `text` and returns it. */
async function cardWith(text) {
  const matches = cards(text);
  await matches.first().waitFor({ state: 'visible', timeout: CARD_TIMEOUT_MS });
  return matches.last();
}

/** Waits until a card containing `marker` also shows `text` (the wizard card is updated in place). */
async function waitForCardText(marker, text) {
  const deadline = Date.now() + CARD_TIMEOUT_MS;
  for (;;) {
    const card = cards(marker).last();
    const shown = (await card.innerText().catch(() => '')) ?? '';
    if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return { card, shown };
    if (Date.now() > deadline) {
      throw new Error(
        `the card "${marker}" did not show ${text} within ${CARD_TIMEOUT_MS} ms; it shows:\n${shown}`,
      );
    }
    await page.waitForTimeout(100);
  }
}

/** Types a message into the compose box and sends it with Enter, as a person would. */
async function send(text) {
  const box = page.locator('[data-lexical-editor="true"]').last();
  await box.click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await page.locator('body', { hasText: text }).waitFor({ timeout: CARD_TIMEOUT_MS });
}

async function click(card, title) {
  const button = card.getByRole('button', { name: title, exact: true });
  await button.waitFor({ state: 'visible', timeout: CARD_TIMEOUT_MS });
  await button.click();
}

/** Clicks Next on the wizard card and waits for the given progress text. */
async function next(button, expected) {
  const card = cards(WIZARD_TITLE).last();
  await click(card, button);
  return waitForCardText(WIZARD_TITLE, expected);
}

async function main() {
  await check('the bot and the Playground start on loopback', async () => {
    const botPort = await freePort();
    bot = await startBot({ port: botPort, dataDir: join(work, 'data') });
    playground = await startPlayground({
      endpoint: bot.endpoint,
      port: await freePort(),
      logFile: join(work, 'playground.log'),
    });
    const config = await (await fetch(`${playground.url}/_internal/v1/config`)).json();
    assert(
      config.config.currentUser.userPrincipleName === USER_UPN,
      `the Playground did not load .m365agentsplayground.yml (current user ${config.config.currentUser.userPrincipleName})`,
    );
    console.log(`     bot ${bot.url}, Playground ${playground.url} (${seconds(started)} after start)`);
  });

  await check('Chromium opens the Playground and the personal chat', async () => {
    browser = await launchChromium({ viewport: { width: 1400, height: 1000 } });
    page = await browser.page();
    page.setDefaultTimeout(CARD_TIMEOUT_MS);
    await page.goto(playground.url);
    await page.getByText('Personal Chat', { exact: true }).first().click();
    await page.locator('[data-lexical-editor="true"]').last().waitFor();
  });

  await check('installing the app posts the welcome card', async () => {
    const card = await cardWith('Connector Concierge is here');
    const text = await card.innerText();
    assert(/connect office365/.test(text), `the welcome card does not suggest connect office365:\n${text}`);
  });

  await check('help answers with the help card', async () => {
    await send('help');
    const card = await cardWith('Connector Concierge: commands');
    const text = await card.innerText();
    for (const expected of ['connect', 'connectors', 'office365', 'cancel']) {
      assert(text.includes(expected), `the help card does not show "${expected}":\n${text}`);
    }
    // The Playground's renderer drops "<type>" from "connect <type>" as if it were an HTML tag.
    if (!text.includes('connect <type>')) warnings.push('the help card shows "connect <type>" as "connect"');
  });

  await check('the help card button "Connect a new connector" shows the connector picker', async () => {
    await click(cards('Connector Concierge: commands').last(), 'Connect a new connector');
    const picker = await cardWith('Which connector do you want to authorize?');
    await picker.getByRole('button', { name: 'Office 365 Connector', exact: true }).waitFor();
  });

  await check('connect office365 starts the wizard at the display name', async () => {
    await send('connect office365');
    const card = await cardWith(WIZARD_TITLE);
    const text = await card.innerText();
    assert(/display name/i.test(text), `the first wizard card does not ask for a display name:\n${text}`);
    await card.getByRole('textbox').first().fill(CONNECTOR_NAME);
  });

  await check('Next: the cloud step, pre-selected from the UPN the Playground roster gives', async () => {
    const { card, shown } = await next('Next', /Which Microsoft cloud/);
    assert(shown.includes(`Connector: ${CONNECTOR_NAME}`), `the display name is not on the card:\n${shown}`);
    const upn = await card.getByRole('textbox').first().inputValue();
    assert(upn === USER_UPN, `the account field holds "${upn}", not the UPN ${USER_UPN}`);
    // An Input.ChoiceSet renders as a <select> (compact) or as radio buttons (expanded).
    const cloud = await card.evaluate((root) => {
      const select = root.querySelector('select');
      if (select) return select.options[select.selectedIndex]?.text ?? '';
      const radio = root.querySelector('input[type=radio]:checked');
      if (!radio) return '';
      const label = radio.id ? root.querySelector(`label[for="${radio.id}"]`) : null;
      return (label ?? radio.parentElement)?.textContent ?? radio.getAttribute('aria-label') ?? '';
    });
    assert(/worldwide/i.test(cloud), `the cloud pre-selected is "${cloud}", not Microsoft 365 worldwide`);
  });

  await check('Next, Next, Back: steps 1 and 2 of 9, the card updated in place', async () => {
    let { shown } = await next('Next', /Step 1 of 9/);
    assert(/Who can do this step/i.test(shown), `step 1 has no "Who can do this step" badge:\n${shown}`);
    ({ shown } = await next('Next', /Step 2 of 9/));
    ({ shown } = await next('Back', /Step 1 of 9/));
    const count = await cards(WIZARD_TITLE).count();
    assert(count === 1, `expected one wizard card updated in place, found ${count}`);
  });

  await check('Next to step 5 of 9, where the admin role is chosen', async () => {
    for (const step of [2, 3, 4]) await next('Next', `Step ${step} of 9`);
    const { card } = await next('Next', 'Step 5 of 9');
    await card.getByRole('button', { name: 'I am a global admin: continue', exact: true }).waitFor();
    await card.getByRole('button', { name: 'I am a SharePoint admin: hand over', exact: true }).waitFor();
  });

  await check('a global admin continues with steps 6 to 9, with the consent link', async () => {
    let { shown } = await next('I am a global admin: continue', 'Step 6 of 9');
    assert(/Global admin/i.test(shown), `step 6 is not marked for a global admin:\n${shown}`);
    assert(/Consent link/i.test(shown), `step 6 does not show the consent link:\n${shown}`);
    for (const step of [7, 8, 9]) ({ shown } = await next('Next', `Step ${step} of 9`));
    await cards(WIZARD_TITLE).last().getByRole('button', { name: 'Finish', exact: true }).waitFor();
  });

  // The Playground has no Microsoft Graph: Finish is not evidence of consent, so the connector waits in
  // awaiting-consent and the card says why it could not check, with Check again (issue 14, point 1).
  await check('Finish: the connector awaits consent, which the bot cannot verify without Graph', async () => {
    await click(cards(WIZARD_TITLE).last(), 'Finish');
    const done = await cardWith('Admin consent could not be verified');
    const text = await done.innerText();
    assert(text.includes(CONNECTOR_NAME), `the done card does not name the connector:\n${text}`);
    assert(
      /Status\s+awaiting-consent/.test(text),
      `the done card does not give the status awaiting-consent:\n${text}`,
    );
    assert(
      !/Status\s+authorized/.test(text),
      `the done card claims an authorization it did not verify:\n${text}`,
    );
    await done.getByRole('button', { name: 'Check again', exact: true }).waitFor();
  });

  await check('connectors lists the new connector as awaiting consent', async () => {
    await send('connectors');
    const list = await cardWith('Connectors of this tenant');
    const text = await list.innerText();
    assert(text.includes(CONNECTOR_NAME), `the list does not show ${CONNECTOR_NAME}:\n${text}`);
    assert(
      /awaiting.consent/i.test(text),
      `the list does not show the connector as awaiting consent:\n${text}`,
    );
  });

  await check('nothing left loopback', async () => {
    const refused = playground.stderr.filter((l) => l.startsWith('loopback-only:'));
    assert(refused.length === 0, `the Playground tried to reach other hosts:\n${refused.join('\n')}`);
    const hosts = [...new Set(browser.blocked.map((u) => new URL(u).host))];
    // The Playground UI asks the Office CDN for web fonts; the browser aborted those requests.
    console.log(`     browser requests aborted: ${browser.blocked.length} (${hosts.join(', ') || 'none'})`);
    assert(
      hosts.every((h) => /(^|\.)cdn\.office\.net$/.test(h)),
      `the Playground UI asked for unexpected hosts: ${hosts.join(', ')}`,
    );
  });
}

let crashed;
try {
  await main();
} catch (err) {
  crashed = err;
} finally {
  clearTimeout(watchdog);
  if (results.some((r) => r.status === 'FAIL') && playground?.logFile) {
    console.log(`Playground log (last lines):\n${tail(playground.logFile)}`);
    console.log(`bot output (last lines):\n${(bot?.stdout ?? []).slice(-15).join('\n')}`);
  }
  await cleanUp();
}
if (crashed) console.log(`e2e: crashed: ${crashed.stack ?? crashed}`);
for (const warning of warnings) console.log(`WARN ${warning}`);
const passed = results.filter((r) => r.status === 'PASS').length;
const failed = results.length - passed;
const skipped = results.filter((r) => r.status === 'SKIP').length;
console.log(
  `\nplayground e2e: ${passed} passed, ${failed} failed${skipped ? ` (${skipped} not run)` : ''} in ${seconds(started)}`,
);
process.exit(failed > 0 || crashed || results.length === 0 ? 1 : 0);
