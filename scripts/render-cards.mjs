// npm run cards: one PNG per card sample, rendered as Teams renders it, plus an accessibility report.
//
// The samples are what the bot builds, not written copies: CARD_SAMPLES (test/unit/cards/samples.ts) binds the real
// builders (the wizard's steps from the catalog through the Office 365 flow and the step-card builder, the help
// and picker data, the consent request), and liveCardSamples (test/unit/cards/liveSamples.ts) runs every check of
// `diagnose` against the local HTTPS fake of Microsoft Graph (real msal-node, graph-client and checks: the
// permission table comes from the consent check) and reads the status card's Entra evidence the same way.
// Every sample (new ones are picked up automatically) is bound with
// adaptivecards-templating in Node (src/cards/render.ts), then rendered by the real `adaptivecards` renderer
// (node_modules/adaptivecards/dist) in headless Chromium with Teams' light host config
// (test/fixtures/teams-light-hostconfig.json), in a 500 px wide card on white, and written to
// docs/cards/<name>.png. docs/cards/accessibility.md gets the contrast report.
//
// Fails (exit 1, after writing every picture) when a card
//  - has renderer errors (parse or validation events, or render() throwing) or an empty body;
//  - has an Image without altText, an Input without label, an action without title (in the JSON, and in the DOM:
//    an <img> without alt, an input without an accessible name);
//  - shows text whose host-config color, on the container style it sits in, is below WCAG AA contrast
//    (4.5:1; 3:1 for large text, 24 px or 18.66 px bold).
//
// Options: --out <dir> (default docs/cards), --only <name,name>, --host-config <file> (default Teams light),
// --scale <device pixel ratio> (default 1; 2 gives sharper but four times larger files).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../playground/chromium.mjs';
import { ROOT } from '../playground/launcher.mjs';

/* global window, document -- in the callbacks that run in the page */

const started = Date.now();
const { values: options } = parseArgs({
  options: {
    out: { type: 'string', default: join(ROOT, 'docs', 'cards') },
    only: { type: 'string' },
    'host-config': { type: 'string', default: join(ROOT, 'test', 'fixtures', 'teams-light-hostconfig.json') },
    scale: { type: 'string', default: '1' },
  },
});
const outDir = resolve(options.out);
const hostConfigPath = resolve(options['host-config']);
const scale = Number(options.scale);
if (!(scale >= 1 && scale <= 4)) fail('--scale: expected a number from 1 to 4');

/**
 * The host config the pictures use: Teams' light config unchanged, except the font stack. Segoe UI is not
 * installable on Linux, so metric-compatible fallbacks are named before the generic family; colors, sizes and
 * spacing stay Teams'.
 */
const FONT_STACK =
  "'Segoe UI', 'Segoe UI Web (West European)', -apple-system, BlinkMacSystemFont, Roboto, 'Helvetica Neue', 'Liberation Sans', Arial, sans-serif";
const hostConfig = JSON.parse(readFileSync(hostConfigPath, 'utf8'));
const pictureHostConfig = JSON.parse(JSON.stringify(hostConfig));
pictureHostConfig.fontTypes.default.fontFamily = FONT_STACK;

const require = createRequire(import.meta.url);
require('./lib/register-ts.cjs');
const { CARD_SAMPLES } = require('../test/unit/cards/samples.ts');
const { liveCardSamples } = require('../test/unit/cards/liveSamples.ts');
const { bindCard } = require('../src/cards/render.ts');

const wanted = options.only ? new Set(options.only.split(',').map((s) => s.trim())) : undefined;
const allSamples = [...CARD_SAMPLES, ...(await liveCardSamples())];
const samples = allSamples.filter((s) => !wanted || wanted.has(s.name));
if (wanted) for (const name of wanted) if (!samples.some((s) => s.name === name)) fail(`no sample "${name}"`);
if (samples.length === 0) fail('CARD_SAMPLES is empty');
const names = new Set();
for (const s of samples) {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(s.name)) fail(`sample name "${s.name}" is not a file name (a-z, 0-9, -)`);
  if (names.has(s.name)) fail(`two samples are called "${s.name}"`);
  names.add(s.name);
}

function fail(message) {
  console.error(`cards: ${message}`);
  process.exit(1);
}

// ------------------------------------------------------------------------------------------ contrast (WCAG 2.x)

/** Host config colors are #RRGGBB or #AARRGGBB (alpha first). */
function parseColor(value) {
  const hex = String(value).replace(/^#/, '');
  if (/^[0-9a-f]{6}$/i.test(hex))
    return { r: hex.slice(0, 2), g: hex.slice(2, 4), b: hex.slice(4, 6), a: 'ff' };
  if (/^[0-9a-f]{8}$/i.test(hex)) {
    return { a: hex.slice(0, 2), r: hex.slice(2, 4), g: hex.slice(4, 6), b: hex.slice(6, 8) };
  }
  throw new Error(`not a host config color: ${value}`);
}

function toRgba(value) {
  const c = parseColor(value);
  return { r: parseInt(c.r, 16), g: parseInt(c.g, 16), b: parseInt(c.b, 16), a: parseInt(c.a, 16) / 255 };
}

/** `top` painted over the opaque `bottom`. */
function over(top, bottom) {
  const mix = (t, b) => Math.round(t * top.a + b * (1 - top.a));
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

function luminance({ r, g, b }) {
  const channel = (v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const hex = ({ r, g, b }) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
const WHITE = { r: 255, g: 255, b: 255, a: 1 };
const FOREGROUNDS = ['default', 'accent', 'good', 'warning', 'attention'];

/** The contrast of a foreground color of the host config on a container style's background (over white). */
function themeContrast(config, style, color, subtle) {
  const container = config.containerStyles[style] ?? config.containerStyles.default;
  const background = over(toRgba(container.backgroundColor ?? '#ffffff'), WHITE);
  const set = container.foregroundColors[color] ?? container.foregroundColors.default;
  const foreground = over(toRgba(subtle ? set.subtle : set.default), background);
  return {
    ratio: contrast(foreground, background),
    foreground: hex(foreground),
    background: hex(background),
  };
}

/** Every (color, subtle, container style, size) a card's text uses, with an example text, from its JSON. */
function textUses(card, config) {
  const uses = [];
  const lower = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
  const sizes = lower(config.fontTypes.default.fontSizes);
  const weights = lower(config.fontTypes.default.fontWeights);
  const heading = config.textStyles?.heading ?? {};
  const add = (style, { color, isSubtle, size, weight }, text) => {
    const px = sizes[String(size ?? 'default').toLowerCase()] ?? sizes.default;
    const w = weights[String(weight ?? 'default').toLowerCase()] ?? weights.default;
    uses.push({
      style,
      color: String(color ?? 'default').toLowerCase(),
      subtle: Boolean(isSubtle),
      large: px >= 24 || (px >= 18.66 && w >= 700),
      text: String(text ?? '').slice(0, 60),
    });
  };
  const walk = (node, style) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, style));
    if (!node || typeof node !== 'object') return;
    const own = typeof node.style === 'string' && config.containerStyles[node.style.toLowerCase()];
    const inner =
      ['Container', 'Column', 'ColumnSet', 'Table', 'TableCell'].includes(node.type) && own
        ? node.style.toLowerCase()
        : style;
    switch (node.type) {
      case 'TextBlock': {
        const h = node.style === 'heading' ? heading : {};
        add(
          style,
          {
            color: node.color ?? h.color,
            isSubtle: node.isSubtle ?? h.isSubtle,
            size: node.size ?? (node.style === 'heading' ? 'large' : undefined),
            weight: node.weight ?? (node.style === 'heading' ? 'bolder' : undefined),
          },
          node.text,
        );
        break;
      }
      case 'RichTextBlock':
        for (const run of node.inlines ?? []) add(style, typeof run === 'string' ? {} : run, run.text ?? run);
        break;
      case 'FactSet':
        for (const fact of node.facts ?? []) {
          add(style, config.factSet?.title ?? {}, fact.title);
          add(style, config.factSet?.value ?? {}, fact.value);
        }
        break;
      default:
        if (typeof node.type === 'string' && node.type.startsWith('Input.') && node.label) {
          add(style, {}, node.label);
        }
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'data') walk(child, inner);
  };
  walk(card.body ?? [], 'default');
  return uses;
}

// ------------------------------------------------------------------------------------------ accessibility (JSON)

function jsonProblems(card) {
  const problems = [];
  if (!Array.isArray(card.body) || card.body.length === 0) problems.push('the card has an empty body');
  const blank = (v) => typeof v !== 'string' || v.trim() === '';
  const walk = (node, at) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
    if (!node || typeof node !== 'object') return;
    const type = node.type;
    if (type === 'Image' && blank(node.altText)) problems.push(`${at} (Image): no altText`);
    if (typeof type === 'string' && type.startsWith('Input.') && blank(node.label))
      problems.push(`${at} (${type}): no label`);
    if (typeof type === 'string' && type.startsWith('Action.') && blank(node.title))
      problems.push(`${at} (${type}): no title`);
    for (const [key, child] of Object.entries(node)) if (key !== 'data') walk(child, `${at}/${key}`);
  };
  walk(card, '');
  return problems;
}

// ------------------------------------------------------------------------------------------ the page

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cards</title>
<style>
  html, body { margin: 0; background: #ffffff; }
  body { font-family: ${FONT_STACK}; color: #252424; -webkit-font-smoothing: antialiased; }
  #shot { display: inline-block; padding: 12px; background: #ffffff; }
  #frame { width: 500px; box-sizing: border-box; border: 1px solid #e1dfdd; border-radius: 6px; overflow: hidden;
    background: #ffffff; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.08); }
  .ac-textBlock p { margin: 0 0 8px 0; }
  .ac-textBlock p:last-child { margin-bottom: 0; }
  .ac-textBlock ul, .ac-textBlock ol { margin: 0 0 8px 0; padding-left: 20px; }
  .ac-textBlock a, .ac-richTextBlock a { color: #6264a7; text-decoration: none; }
  .ac-pushButton { font-family: inherit; font-size: 14px; font-weight: 600; height: 32px; padding: 0 12px;
    border: 1px solid #d1d1d1; border-radius: 4px; background: #ffffff; color: #242424; cursor: pointer;
    overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  /* Teams wraps card buttons onto more rows rather than truncating their titles. */
  .ac-actionSet { flex-wrap: wrap; row-gap: 8px; }
  .ac-actionSet > .ac-pushButton { flex: 0 0 auto !important; max-width: 100%; }
  .ac-pushButton.style-positive { background: #6264a7; border-color: #6264a7; color: #ffffff; }
  .ac-pushButton.style-destructive { background: #c4314b; border-color: #c4314b; color: #ffffff; }
  .ac-input { font-family: inherit; font-size: 14px; color: #242424; }
  .ac-input.ac-textInput, .ac-input.ac-numberInput, .ac-input.ac-dateInput, .ac-input.ac-timeInput,
  .ac-input.ac-multichoiceInput { box-sizing: border-box; height: 32px; padding: 4px 10px; background: #ffffff;
    border: 1px solid #d1d1d1; border-bottom-color: #616161; border-radius: 4px; }
  .ac-input.ac-textInput.ac-multiline { height: 72px; }
</style>
<script src="/adaptivecards.js"></script>
</head><body><div id="shot"><div id="frame"></div></div>
<script>
  const escapeHtml = (s) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  // The markdown Teams supports in cards: **bold**, _italic_ or *italic*, [links](https://...), lists, paragraphs.
  function markdown(text) {
    // A backslash before ASCII punctuation is that character as text (CommonMark "Backslash
    // escapes"), as the bot escapes people's and Graph's text: held aside while the rest is parsed.
    const inline = (s) => {
      const held = [];
      const hold = (_, ch) => '\\u0000' + (held.push(ch) - 1) + '\\u0000';
      return escapeHtml(s.replace(/\\\\([!-\\/:-@\\[-\\u0060{-~])/g, hold))
        .replace(/\\[([^\\]]+)\\]\\((https?:\\/\\/[^)\\s]+)\\)/g, '<a href="$2">$1</a>')
        .replace(/\\*\\*(.+?)\\*\\*/g, '<strong>$1</strong>')
        .replace(/(^|[\\s(])\\*([^*\\s][^*]*?)\\*(?=$|[\\s).,;:!?])/g, '$1<em>$2</em>')
        .replace(/(^|[\\s(])_([^_]+?)_(?=$|[\\s).,;:!?])/g, '$1<em>$2</em>')
        .replace(/\\u0000(\\d+)\\u0000/g, (_, i) => escapeHtml(held[Number(i)]));
    };
    return text
      .replace(/\\r\\n?/g, '\\n')
      .split(/\\n{2,}/)
      .map((block) => {
        const lines = block.split('\\n');
        if (lines.every((l) => /^\\s*[-*] /.test(l)))
          return '<ul>' + lines.map((l) => '<li>' + inline(l.replace(/^\\s*[-*] /, '')) + '</li>').join('') + '</ul>';
        if (lines.every((l) => /^\\s*\\d+\\. /.test(l)))
          return '<ol start="' + parseInt(lines[0], 10) + '">' +
            lines.map((l) => '<li>' + inline(l.replace(/^\\s*\\d+\\. /, '')) + '</li>').join('') + '</ol>';
        return '<p>' + lines.map(inline).join('<br>') + '</p>';
      })
      .join('');
  }
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = markdown(text);
    result.didProcess = true;
  };

  function accessibleName(el) {
    if (el.getAttribute('aria-label')?.trim()) return el.getAttribute('aria-label').trim();
    const ids = (el.getAttribute('aria-labelledby') ?? '').split(/\\s+/).filter(Boolean);
    const byIds = ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
    if (byIds) return byIds;
    const label = el.id ? document.querySelector('label[for="' + CSS.escape(el.id) + '"]') : null;
    return (label?.textContent ?? el.closest('label')?.textContent ?? '').trim();
  }

  window.renderCard = (payload, hostConfigJson) => {
    const frame = document.getElementById('frame');
    frame.replaceChildren();
    const problems = [];
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = new AdaptiveCards.HostConfig(hostConfigJson);
    // 1.6 parsing as in test/support/cardValidation.ts: Input.ChoiceSet "choices.data" (typeahead) is read from
    // 1.6 on, but Teams supports it in 1.5 cards.
    const context = new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_6);
    card.parse(payload, context);
    const events = [];
    for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i));
    events.push(...card.validateProperties().validationEvents);
    for (const event of events) {
      const dynamicChoices =
        event.event === AdaptiveCards.ValidationEvent.CollectionCantBeEmpty &&
        event.source instanceof AdaptiveCards.ChoiceSetInput &&
        event.source.choicesData !== undefined;
      if (!dynamicChoices) {
        const kind = AdaptiveCards.ValidationEvent[event.event] ?? event.event;
        problems.push('renderer: ' + event.message + ' [' + kind + ']');
      }
    }
    let element;
    try {
      element = card.render();
    } catch (error) {
      problems.push('renderer: render() threw ' + (error && error.message ? error.message : error));
    }
    if (!element) {
      problems.push('renderer: render() returned no element');
      return { problems };
    }
    frame.appendChild(element);
    const text = (element.innerText ?? '').trim();
    const inputs = [...element.querySelectorAll('input, select, textarea')].filter((i) => i.type !== 'hidden');
    if (text === '' && inputs.length === 0) problems.push('the rendered card shows no text and no inputs');
    for (const img of element.querySelectorAll('img')) {
      if (!(img.getAttribute('alt') ?? '').trim()) problems.push('DOM: an <img> has no alt text (' + img.src + ')');
    }
    for (const input of inputs) {
      if (!accessibleName(input)) problems.push('DOM: an <' + input.tagName.toLowerCase() + '> has no accessible name');
    }
    for (const button of element.querySelectorAll('button')) {
      if (!(button.getAttribute('aria-label') ?? button.textContent ?? '').trim())
        problems.push('DOM: a button has no name');
    }
    return { problems, height: element.getBoundingClientRect().height };
  };
</script></body></html>`;

function serve() {
  const script = readFileSync(join(ROOT, 'node_modules', 'adaptivecards', 'dist', 'adaptivecards.min.js'));
  const server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else if (req.url === '/adaptivecards.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise(server));
  });
}

// ------------------------------------------------------------------------------------------ main

const server = await serve();
const base = `http://127.0.0.1:${server.address().port}/`;
let browser;
const report = [];
let exitCode = 0;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // The loop below stops at its next step (closing the browser makes a pending page call fail) and the
    // finally block cleans up.
    console.error(`cards: ${signal}: stopping`);
    interrupted = true;
    void browser?.close().catch(() => {});
  });
}
try {
  browser = await launchChromium({ viewport: { width: 560, height: 800 }, deviceScaleFactor: scale });
  const page = await browser.page();
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(base);
  await page.waitForFunction(() => typeof window.renderCard === 'function' && window.AdaptiveCards);
  mkdirSync(outDir, { recursive: true });

  for (const sample of samples) {
    if (interrupted) break;
    const problems = [];
    let card;
    try {
      card = JSON.parse(JSON.stringify(bindCard(sample.template, sample.data)));
    } catch (err) {
      problems.push(`binding failed: ${err.message}`);
    }
    let uses = [];
    if (card) {
      problems.push(...jsonProblems(card));
      consoleErrors.length = 0;
      const result = await page.evaluate(([c, h]) => window.renderCard(c, h), [card, pictureHostConfig]);
      problems.push(...result.problems, ...consoleErrors.map((e) => `page: ${e}`));
      await page.evaluate(() => document.fonts.ready);
      await page.locator('#shot').screenshot({ path: join(outDir, `${sample.name}.png`) });
      uses = textUses(card, hostConfig).map((u) => ({
        ...u,
        ...themeContrast(hostConfig, u.style, u.color, u.subtle),
      }));
      for (const u of uses) {
        const needed = u.large ? 3 : 4.5;
        if (u.ratio < needed) {
          problems.push(
            `contrast ${u.ratio.toFixed(2)}:1 < ${needed}:1: ${u.color}${u.subtle ? ' (subtle)' : ''} ${u.foreground} on ${u.style} ${u.background}: "${u.text}"`,
          );
        }
      }
    }
    const unique = [...new Set(problems)];
    report.push({ name: sample.name, problems: unique, uses });
    console.log(`${unique.length === 0 ? 'ok  ' : 'FAIL'} ${sample.name}`);
    for (const p of unique) console.log(`       ${p}`);
  }

  // Pictures of samples that no longer exist would mislead.
  if (!wanted && !interrupted) {
    for (const file of readdirSync(outDir)) {
      if (file.endsWith('.png') && !names.has(file.slice(0, -4))) rmSync(join(outDir, file));
    }
  }
  // The report covers every sample, so a partial run (--only, Ctrl-C) leaves the last full one.
  if (!wanted && !interrupted) writeFileSync(join(outDir, 'accessibility.md'), accessibilityReport());
} catch (err) {
  if (!interrupted) console.error(`cards: ${err.stack ?? err}`);
  exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  server.close();
}

if (interrupted) process.exit(130);
const failed = report.filter((r) => r.problems.length > 0);
console.log(
  `\ncards: ${report.length - failed.length} passed, ${failed.length} failed; ${report.length} pictures in ${relative(ROOT, outDir) || '.'}/ (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
if (!wanted) {
  console.log(
    `cards: contrast of every host config color: ${relative(ROOT, join(outDir, 'accessibility.md'))}`,
  );
}
process.exit(exitCode || (failed.length > 0 ? 1 : 0));

function accessibilityReport() {
  const styles = Object.keys(hostConfig.containerStyles);
  const lines = [
    '# Card accessibility (generated by `npm run cards`)',
    '',
    `Host config: \`${relative(ROOT, hostConfigPath)}\`. WCAG 2.x AA: 4.5:1 for text, 3:1 for large text`,
    '(24 px, or 18.66 px bold). Ratios below 4.5:1 are marked ✗.',
    '',
    '## Every foreground color on every container style',
    '',
    `| foreground | ${styles.join(' | ')} |`,
    `| --- | ${styles.map(() => '---').join(' | ')} |`,
  ];
  for (const color of FOREGROUNDS) {
    for (const subtle of [false, true]) {
      const cells = styles.map((style) => {
        const c = themeContrast(hostConfig, style, color, subtle);
        return `${c.ratio.toFixed(2)}${c.ratio < 4.5 ? ' ✗' : ''}`;
      });
      const fg = hostConfig.containerStyles.default.foregroundColors[color][subtle ? 'subtle' : 'default'];
      lines.push(`| ${color}${subtle ? ' subtle' : ''} (\`${fg}\`) | ${cells.join(' | ')} |`);
    }
  }
  lines.push(
    '',
    '## What the cards use',
    '',
    '| card | text color on container | ratio | example |',
    '| --- | --- | --- | --- |',
  );
  for (const r of report) {
    const seen = new Map();
    for (const u of r.uses) {
      const key = `${u.color}${u.subtle ? ' subtle' : ''} on ${u.style}${u.large ? ' (large)' : ''}`;
      if (!seen.has(key)) seen.set(key, u);
    }
    for (const [key, u] of seen) {
      const needed = u.large ? 3 : 4.5;
      const example = u.text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
      lines.push(
        `| ${r.name} | ${key} | ${u.ratio.toFixed(2)}${u.ratio < needed ? ' ✗' : ''} | ${example} |`,
      );
    }
  }
  const failing = report.filter((r) => r.problems.length > 0);
  lines.push('', '## Problems', '');
  if (failing.length === 0) lines.push('None.');
  for (const r of failing) {
    lines.push(`- **${r.name}**`);
    for (const p of r.problems) lines.push(`  - ${p.replace(/\|/g, '\\|')}`);
  }
  return `${lines.join('\n')}\n`;
}
