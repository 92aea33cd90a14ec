/**
 * Soak (issue 18): the bot as its own process for about 10 minutes (`--soak-minutes`) under mixed
 * traffic: `help`, wizard steps (some opened before a restart of the bot and finished after it),
 * `connectors` over 200 connectors, a scan through POST /api/v1/scan every minute that notifies
 * subscribed channels, and a 429 storm at the Bot Connector stand-in. Every minute: the bot's RSS
 * (/proc: the median of the minute's readings every half second, and the reading at the minute
 * mark) and live heap (from heapProbe.js, preloaded). Reports the growth over the last 5 minutes
 * (or the last half of a shorter soak), error lines the bot logged, and whether every notice
 * arrived exactly once.
 *
 * Why the median: V8's heap takes and gives back tens of MB within seconds as it sizes its
 * generations for the traffic (a sampled soak read 150–176 MB of RSS within one minute, live heap
 * flat at 32 MB), so one reading a minute says mostly where that cycle was. A leak moves every
 * reading of a minute, and so the median; the single reading is still reported beside it.
 */
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { executeInvoke, makeUser, message, personalChat, type Activity } from '../test/harness/activities';
import { actionTitles, cardOf, findAction, inputValues, type Card } from '../test/harness/cards';
import { ConnectorStandIn, type ConnectorRoute } from '../test/harness/connectorStandIn';
import {
  BOT_ENTRY,
  QUIET_CRON,
  count,
  freePort,
  liveHeap,
  log,
  median,
  memoryOf,
  removeDir,
  sleep,
  spawnServer,
  tempDir,
  waitForHealthy,
  type BenchOptions,
  type ServerProcess,
} from './common';
import { bulkLoad, channelSubscription, seedTenantConnectors } from './seed';
import { atMost, mb, type Row, type Section } from './table';

const TENANT = '7e57be4c-0000-4000-8000-00000000500a';
const API_TOKEN = 'bench-api-token-0123456789';
const CHANNELS = 50;
const PER_CHANNEL = 4;
const MINUTE_MS = 60_000;
const REPLY_TIMEOUT_MS = 30_000;
const REPLY_ROUTES: ConnectorRoute[] = ['replyToActivity', 'sendToConversation', 'updateActivity'];

interface Sample {
  minute: number;
  /** At the minute mark, right after the full collection that reads the live heap. */
  rss: number;
  /** The median of the readings taken every half second since the previous minute mark. */
  rssMedian: number;
  heapUsed: number;
}

function channelOf(t: number): string {
  return `19:soak${t}@thread.tacv2`;
}

function noticesOnCard(body: Record<string, unknown> | undefined): number {
  const text = JSON.stringify(body ?? {});
  const many = /"(\d+) connectors expire soon"/.exec(text);
  if (many) return Number(many[1]);
  return text.includes('"A connector expires soon"') ? 1 : 0;
}

export async function runSoak(options: BenchOptions): Promise<Section> {
  const minutes = options.soakMinutes;
  const durationMs = minutes * MINUTE_MS;
  const restartAtMs = Math.min(durationMs / 4, 2.5 * MINUTE_MS);
  const stormMs = { from: 5_000, to: 50_000 };
  const windowMinutes = Math.min(5, Math.max(1, Math.floor(minutes / 2)));

  const standIn = new ConnectorStandIn();
  await standIn.start();
  const dataDir = tempDir('soak');
  const heapFile = path.join(dataDir, 'heap.json');
  // Set once the bot first answers: the schedule (storm, restart, scans) counts from there.
  let started = Number.POSITIVE_INFINITY;
  const inStorm = () => {
    const t = performance.now() - started;
    return t >= stormMs.from && t < stormMs.to;
  };

  // Replies per conversation; during the storm every third attempt is refused with 429.
  const waiting = new Map<string, () => void>();
  let attempts = 0;
  let refused = 0;
  const delivered = new Map<string, number>();
  let notices = 0;
  for (const route of REPLY_ROUTES) {
    standIn.program(
      route,
      (call) => {
        attempts += 1;
        if (inStorm() && attempts % 3 === 0) {
          refused += 1;
          return { status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'Throttled' } } };
        }
        const id = call.conversationId ?? '';
        if (route === 'sendToConversation' && id.startsWith('19:soak')) {
          delivered.set(id, (delivered.get(id) ?? 0) + 1);
          notices += noticesOnCard(call.body);
        }
        const resolve = waiting.get(id);
        if (resolve) {
          waiting.delete(id);
          resolve();
        }
        return undefined;
      },
      { times: Infinity },
    );
  }

  const expected = CHANNELS * PER_CHANNEL;
  bulkLoad(dataDir, {
    connectors: expected,
    tenants: CHANNELS,
    dueEvery: 1,
    now: Date.now(),
    subscription: (t, tenant) => channelSubscription(tenant, channelOf(t), standIn.url),
  });
  await seedTenantConnectors(dataDir, TENANT, 200);

  const port = await freePort();
  let errorLines = 0;
  const errorSamples: string[] = [];
  const start = async (): Promise<ServerProcess> => {
    const bot = spawnServer('bot', BOT_ENTRY, {
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SCAN_CRON: QUIET_CRON,
      API_TOKEN,
      NOTIFY_RPS: '30',
      BENCH_HEAP_FILE: heapFile,
      NODE_OPTIONS:
        `${process.env.BENCH_NODE_OPTIONS ?? ''} -r ${path.join(__dirname, 'heapProbe.js')}`.trim(),
    });
    let partial = '';
    const scan = (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (/"level":"(error|fatal)"/.test(line) || /^(Error|TypeError|RangeError|Unhandled)/.test(line)) {
          errorLines += 1;
          if (errorSamples.length < 3) errorSamples.push(line.slice(0, 300));
        }
      }
    };
    bot.child.stdout!.on('data', scan);
    bot.child.stderr!.on('data', scan);
    // A loaded machine starts slowly; the soak measures memory, not start-up.
    await waitForHealthy(bot, 120_000, 50);
    return bot;
  };

  /**
   * A card click (Action.Execute) is answered in its invoke response, which must carry a card
   * (the wizard's next step); the card is returned.
   */
  const click = async (bot: ServerProcess, conversationId: string, activity: Activity): Promise<Card> => {
    const response = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    const body = await response.text();
    if (response.status >= 300) throw new Error(`the bot answered ${response.status} in ${conversationId}`);
    const answer = JSON.parse(body || '{}') as { type?: string; value?: Card };
    if (answer.type !== 'application/vnd.microsoft.card.adaptive' || !answer.value) {
      throw new Error(`the bot answered a click without a card in ${conversationId}: ${body.slice(0, 200)}`);
    }
    return answer.value;
  };

  const turn = async (bot: ServerProcess, conversationId: string, activity: Activity): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        waiting.delete(conversationId);
        reject(new Error(`no reply in ${conversationId} within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      waiting.set(conversationId, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    // A turn cut short (the restart) must not leave its wait to reject unheard.
    arrived.catch(() => undefined);
    try {
      const response = await fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      });
      await response.arrayBuffer();
      if (response.status >= 300) throw new Error(`the bot answered ${response.status} in ${conversationId}`);
    } catch (err) {
      clearTimeout(timer);
      waiting.delete(conversationId);
      throw err;
    }
    await arrived;
  };

  const chat = () => {
    const user = makeUser(`Soak ${randomUUID().slice(0, 4)}`, 'soak@contoso.onmicrosoft.com');
    return { user, conversation: personalChat(TENANT, user) };
  };

  /** `connect box`, and the click on the name page's Next (to send later). */
  const openWizard = async (bot: ServerProcess) => {
    const { user, conversation } = chat();
    await turn(bot, conversation.id, message(standIn.url, conversation, user, 'connect box'));
    const reply = standIn.calls
      .filter((c) => c.conversationId === conversation.id && c.route === 'replyToActivity' && c.status < 300)
      .pop();
    if (!reply) throw new Error(`connect box posted nothing in ${conversation.id}`);
    const card = cardOf(reply.body);
    const next = findAction(card, 'Next');
    const value = { ...inputValues(card, { displayName: 'x' }), ...(next.data as object) };
    const cardId = String((reply.answer as { id?: string }).id);
    return {
      id: conversation.id,
      next: () => executeInvoke(standIn.url, conversation, user, String(next.verb), value, cardId),
    };
  };

  let bot = await start();
  started = performance.now();
  const turns = { help: 0, wizard: 0, connectors: 0, failed: 0 };
  const failures: string[] = [];
  let resumedAfterRestart = 0;
  let restarted = false;
  let stopping = false;
  let restarting: Promise<void> | undefined;
  const samples: Sample[] = [];
  /** RSS read every half second since the last minute mark. */
  let rssReadings: number[] = [];
  const scans: string[] = [];

  const loop = async (kind: 'help' | 'wizard' | 'connectors') => {
    const { user, conversation } = chat();
    while (!stopping) {
      if (restarting) await restarting;
      try {
        if (kind === 'wizard') {
          const wizard = await openWizard(bot);
          await click(bot, wizard.id, wizard.next());
        } else {
          await turn(bot, conversation.id, message(standIn.url, conversation, user, kind));
        }
        turns[kind] += 1;
      } catch (err) {
        if (restarting) continue;
        turns.failed += 1;
        if (failures.length < 3) failures.push((err as Error).message);
      }
      // A steady, modest pace: the soak looks for leaks, not for throughput.
      await sleep(100);
    }
  };

  const scan = async (i: number) => {
    const response = await fetch(`${bot.url}/api/v1/scan`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const body = await response.text();
    scans.push(`#${i} ${response.status}${response.status === 200 ? ` sent ${JSON.parse(body).sent}` : ''}`);
  };

  // The live heap (after a full collection), so that garbage V8 has not collected yet does not
  // read as growth; RSS as the operating system sees it.
  const sample = async (minute: number) => {
    let heapUsed = NaN;
    try {
      heapUsed = await liveHeap(bot, heapFile);
    } catch (err) {
      log(`soak: minute ${minute}: no heap reading (${(err as Error).message})`);
    }
    const rss = memoryOf(bot.child.pid!).rss;
    const rssMedian = median(rssReadings);
    rssReadings = [];
    samples.push({ minute, rss, rssMedian, heapUsed });
    log(
      `soak: minute ${minute}: RSS ${mb(rssMedian)} (median; ${mb(rss)} at the mark), heap ${mb(heapUsed)}; turns ${JSON.stringify(turns)}`,
    );
  };

  log(
    `soak: ${minutes} min; restart at ${Math.round(restartAtMs / 1000)} s; 429 storm ${stormMs.from / 1000}–${stormMs.to / 1000} s`,
  );
  const loops = [loop('help'), loop('help'), loop('wizard'), loop('connectors')];
  try {
    await sleep(stormMs.from + 2_000);
    await scan(0);
    let nextScan = performance.now() - started + MINUTE_MS - stormMs.from - 2_000;
    let nextSample = MINUTE_MS;
    let minute = 0;
    while (performance.now() - started < durationMs) {
      const t = performance.now() - started;
      if (!restarted && t >= restartAtMs) {
        restarted = true;
        const open = await Promise.all(Array.from({ length: 5 }, () => openWizard(bot)));
        let done!: () => void;
        restarting = new Promise<void>((resolve) => (done = resolve));
        await bot.stop();
        bot = await start();
        done();
        restarting = undefined;
        for (const wizard of open) {
          // Went on: the answer is the second step, which has Back (the first has none), from the
          // dialog state the first process stored.
          const step = await click(bot, wizard.id, wizard.next());
          if (actionTitles(step).includes('Back')) resumedAfterRestart += 1;
        }
        log(`soak: restarted the bot; ${resumedAfterRestart} of 5 wizards went on after it`);
      }
      if (t >= nextScan) {
        nextScan += MINUTE_MS;
        await scan(scans.length);
      }
      if (t >= nextSample) {
        nextSample += MINUTE_MS;
        minute += 1;
        await sample(minute);
        // The stand-in's record is only read for the wizards' cards: keep it short.
        standIn.calls.splice(0, Math.max(0, standIn.calls.length - 500));
      }
      rssReadings.push(memoryOf(bot.child.pid!).rss);
      await sleep(500);
    }
    // The last minute's figure, taken at the end of the run.
    if (minute < minutes) await sample(minute + 1);
  } finally {
    stopping = true;
    await Promise.allSettled(loops);
    await bot.stop();
    await standIn.stop();
    removeDir(dataDir);
  }

  const window = samples.slice(-(windowMinutes + 1));
  const growth = (pick: (s: Sample) => number) =>
    window.length >= 2 ? pick(window[window.length - 1]) / pick(window[0]) - 1 : NaN;
  const rssGrowth = growth((s) => s.rssMedian);
  const rssMarkGrowth = growth((s) => s.rss);
  const heapGrowth = growth((s) => s.heapUsed);
  const duplicates = [...delivered.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '—');
  const rows: Row[] = [
    {
      measure: `RSS growth over the last ${windowMinutes} min (median of each minute's readings every 0.5 s)`,
      bot: pct(rssGrowth),
      baseline: window.length ? mb(window[0].rssMedian) : '—',
      ratio: '—',
      target: '< 5%',
      verdict: atMost(rssGrowth, 0.05 - 1e-9),
    },
    {
      measure: `RSS growth over the last ${windowMinutes} min, one reading at each minute mark; informational`,
      bot: pct(rssMarkGrowth),
      baseline: window.length ? mb(window[0].rss) : '—',
      ratio: '—',
      target: '—',
      verdict: '',
    },
    {
      measure: `live heap growth over the last ${windowMinutes} min (full GC before each reading)`,
      bot: pct(heapGrowth),
      baseline: window.length ? mb(window[0].heapUsed) : '—',
      ratio: '—',
      target: '< 5%',
      verdict: atMost(heapGrowth, 0.05 - 1e-9),
    },
    {
      measure: 'error lines logged by the bot',
      bot: String(errorLines),
      baseline: '0',
      ratio: '—',
      target: '0',
      verdict: errorLines === 0 ? 'ok' : 'FAIL',
    },
    {
      measure: `notices delivered / expected (${CHANNELS} channels × ${PER_CHANNEL}), duplicates`,
      bot: `${count(notices)}, ${duplicates}`,
      baseline: `${count(expected)}, 0`,
      ratio: '—',
      target: 'each once',
      verdict: notices === expected && duplicates === 0 ? 'ok' : 'FAIL',
    },
    {
      measure: 'wizards opened before a restart that went on after it',
      bot: `${resumedAfterRestart}`,
      baseline: '5',
      ratio: '—',
      target: '5',
      verdict: resumedAfterRestart === 5 ? 'ok' : 'FAIL',
    },
    {
      measure: 'turns without a reply',
      bot: String(turns.failed),
      baseline: '0',
      ratio: '—',
      target: '0',
      verdict: turns.failed === 0 ? 'ok' : 'FAIL',
    },
  ];
  return {
    title: `Soak (${minutes} min of mixed traffic)`,
    rows,
    notes: [
      `every minute (RSS median of the minute, RSS at the mark / live heap): ${samples
        .map((s) => `${s.minute}: ${mb(s.rssMedian)}, ${mb(s.rss)} / ${mb(s.heapUsed)}`)
        .join('; ')}`,
      `turns: ${turns.help} help, ${turns.wizard} wizard steps, ${turns.connectors} connectors; scans: ${scans.join(', ')}; the 429 storm refused ${refused} of ${count(attempts)} Bot Connector attempts`,
      ...errorSamples.map((l) => `error line: ${l}`),
      ...failures.map((f) => `turn failed: ${f}`),
    ],
  };
}
