// Headless Chromium (Debian's /usr/bin/chromium) through playwright-core, kept on loopback, for the
// end-to-end test and for npm run cards.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const LOOPBACK_URL = /^(https?|wss?):\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//i;

/**
 * Launches Chromium with a fresh profile. Every request that is not for loopback, or a data:/blob: URL, is
 * aborted before it leaves the browser and recorded in `blocked` (the Playground UI asks the Office CDN for its
 * Segoe UI web fonts); DNS resolution of anything but localhost is turned off as well.
 */
export async function launchChromium({
  viewport = { width: 1280, height: 900 },
  deviceScaleFactor = 1,
} = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'concierge-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      // Playwright's own handlers would exit the process on these signals before the caller has stopped
      // its other child processes; callers close the browser themselves.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      viewport,
      deviceScaleFactor,
      locale: 'en-US',
      timezoneId: 'UTC',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-default-apps',
        '--disable-dev-shm-usage',
        '--no-proxy-server',
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
      ],
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const blocked = [];
  let closing;
  await context.route(
    (url) => !LOOPBACK_URL.test(url.href) && !/^(data|blob|about):/i.test(url.href),
    (route) => {
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return {
    context,
    blocked,
    async page() {
      return context.pages()[0] ?? (await context.newPage());
    },
    /** Closes the browser and removes its profile; calling it again waits for the same close. */
    close() {
      closing ??= (async () => {
        try {
          await context.close();
        } finally {
          rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5 });
        }
      })();
      return closing;
    },
  };
}
