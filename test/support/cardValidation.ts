/**
 * Reusable Adaptive Card validator for tests: proves a card the bot sends is valid for Microsoft Teams.
 *
 * A card passes only if it
 *  - matches the Adaptive Card 1.5 JSON Schema (test/fixtures/schemas/adaptive-card-1.5.schema.json),
 *  - is an AdaptiveCard of version 1.5 or lower (the highest version Teams renders),
 *  - fits, wrapped as a Teams attachment, in Teams' ~28 KB message limit,
 *  - contains no unbound template expressions (`${...}`, `$data`, `$when`),
 *  - parses and renders without warnings in the real `adaptivecards` renderer with Teams' light host config,
 *  - meets accessibility basics: every Image has altText, every Input a label, every action a title.
 *
 * Works under jest's `testEnvironment: 'node'`: the renderer gets its own lazily created JSDOM window (one per
 * test file, since jest gives every test file its own module registry), and the DOM globals the renderer needs
 * are installed only while it runs and restored afterwards.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { JSDOM, type DOMWindow } from 'jsdom';
import type * as AdaptiveCardsModule from 'adaptivecards';

/** Teams rejects messages larger than about 28 KB; an Adaptive Card attachment has to fit in that. */
export const TEAMS_CARD_PAYLOAD_LIMIT_BYTES = 28 * 1024;

/** The highest Adaptive Card schema version Microsoft Teams renders. */
export const TEAMS_MAX_CARD_VERSION = '1.5';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export interface CardValidationResult {
  /** Readable problems, each `path: message`; empty when the card is valid. */
  errors: string[];
}

const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');
const SCHEMA_PATH = path.join(FIXTURES_DIR, 'schemas', 'adaptive-card-1.5.schema.json');
const HOST_CONFIG_PATH = path.join(FIXTURES_DIR, 'teams-light-hostconfig.json');

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pointer(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function where(instancePath: string): string {
  return instancePath === '' ? '(root)' : instancePath;
}

// ---------------------------------------------------------------------------------------------------- schema

let compiledSchema: ValidateFunction | undefined;

function getSchemaValidator(): ValidateFunction {
  if (!compiledSchema) {
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    addFormats(ajv);
    compiledSchema = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
  }
  return compiledSchema;
}

/** Enum lists in the schema repeat each value in several casings; show each value once, canonical first. */
function describeAllowed(values: readonly unknown[]): string {
  const seen = new Set<string>();
  const shown: string[] = [];
  for (const value of values) {
    const key = String(value).toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      shown.push(JSON.stringify(value));
    }
  }
  return shown.join(', ');
}

function describeInstance(error: ErrorObject): string {
  const data: unknown = error.data;
  const type = isObject(data) && typeof data.type === 'string' ? ` (${data.type})` : '';
  return `${where(error.instancePath)}${type}`;
}

function formatSchemaError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const at = where(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties':
      return `${describeInstance(error)}: unknown property "${String(params.additionalProperty)}" (not in the Adaptive Card 1.5 schema)`;
    case 'required':
      return `${describeInstance(error)}: missing required property "${String(params.missingProperty)}"`;
    case 'enum':
      return `${at}: invalid value ${JSON.stringify(error.data)}; allowed: ${describeAllowed(params.allowedValues as unknown[])}`;
    case 'const':
      return `${at}: must be ${JSON.stringify(params.allowedValue)}, got ${JSON.stringify(error.data)}`;
    case 'anyOf': {
      const description = isObject(error.parentSchema) ? error.parentSchema.description : undefined;
      const expected =
        typeof description === 'string'
          ? `; expected ${description[0].toLowerCase()}${description.slice(1)}`
          : '';
      return `${at}: invalid value ${JSON.stringify(error.data)}${expected}`;
    }
    default:
      return `${at}: ${error.message ?? error.keyword}`;
  }
}

/** Keywords that only say "this value is not of the alternative's shape". */
const ALTERNATIVE_MISMATCH = new Set(['type', 'const', 'enum', 'pattern', 'format', 'minimum']);

function schemaErrors(card: unknown): string[] {
  const validate = getSchemaValidator();
  if (validate(card)) return [];
  // "must match then schema" only wraps the real errors of the dispatched element/action type.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  // For a value that matches none of several alternatives (anyOf), the "wrong type / not this constant" failure
  // of every alternative is noise: drop those. If specific errors remain (e.g. a typo inside a fallback element),
  // they explain the problem and the anyOf summary is dropped; otherwise the summary says what was expected.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const specific = errors.filter(
    (e) => e.keyword !== 'anyOf' && !(anyOfPaths.has(e.instancePath) && ALTERNATIVE_MISMATCH.has(e.keyword)),
  );
  const summaries = errors.filter(
    (e) =>
      e.keyword === 'anyOf' &&
      !specific.some(
        (s) => s.instancePath === e.instancePath || s.instancePath.startsWith(`${e.instancePath}/`),
      ),
  );
  const kept = new Set([...specific, ...summaries]);
  return errors.filter((e) => kept.has(e)).map((e) => `schema ${formatSchemaError(e)}`);
}

// ---------------------------------------------------------------------------------------------------- semantics

function versionErrors(card: JsonObject): string[] {
  const errors: string[] = [];
  if (card.type !== 'AdaptiveCard') {
    errors.push(`/type: must be "AdaptiveCard", got ${JSON.stringify(card.type)}`);
  }
  const version = card.version;
  const match = typeof version === 'string' ? /^(\d+)\.(\d+)$/.exec(version) : null;
  if (!match) {
    errors.push(
      `/version: must be a version string such as "${TEAMS_MAX_CARD_VERSION}", got ${JSON.stringify(version)}`,
    );
  } else {
    const [maxMajor, maxMinor] = TEAMS_MAX_CARD_VERSION.split('.').map(Number);
    const major = Number(match[1]);
    const minor = Number(match[2]);
    if (major < 1 || major > maxMajor || (major === maxMajor && minor > maxMinor)) {
      errors.push(
        `/version: card version "${String(version)}" is not supported; Microsoft Teams renders 1.0 to ${TEAMS_MAX_CARD_VERSION}`,
      );
    }
  }
  return errors;
}

function sizeErrors(card: unknown): string[] {
  const attachment = { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
  const bytes = Buffer.byteLength(JSON.stringify(attachment), 'utf8');
  return bytes > TEAMS_CARD_PAYLOAD_LIMIT_BYTES
    ? [
        `(root): card attachment is ${bytes} bytes of JSON, over the Teams limit of ${TEAMS_CARD_PAYLOAD_LIMIT_BYTES} bytes (28 KB)`,
      ]
    : [];
}

const TEMPLATE_ONLY_KEYS = new Set(['$data', '$when']);

/** Unbound templates: `${...}` in any string (values and keys) and the template-only keys `$data` / `$when`. */
function templateErrors(value: unknown, at: string, errors: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('${')) {
      errors.push(
        `${where(at)}: unbound template expression in ${JSON.stringify(value)}; bind the template first`,
      );
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => templateErrors(item, pointer(at, index), errors));
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (TEMPLATE_ONLY_KEYS.has(key)) {
        errors.push(`${pointer(at, key)}: template-only property "${key}" left in a bound card`);
      } else if (key.includes('${')) {
        errors.push(
          `${pointer(at, key)}: unbound template expression in property name ${JSON.stringify(key)}`,
        );
      }
      templateErrors(child, pointer(at, key), errors);
    }
  }
  return errors;
}

function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === '';
}

/** Accessibility basics: Image altText, Input label, action title. Free-form action `data` is not inspected. */
function accessibilityErrors(value: unknown, at: string, errors: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => accessibilityErrors(item, pointer(at, index), errors));
    return errors;
  }
  if (!isObject(value)) return errors;
  const type = value.type;
  if (typeof type === 'string') {
    if (type === 'Image' && isBlank(value.altText)) {
      errors.push(`${where(at)} (Image): missing altText (screen readers need a description of the image)`);
    } else if (type.startsWith('Input.') && isBlank(value.label)) {
      errors.push(`${where(at)} (${type}): missing label (every input needs a visible, accessible label)`);
    } else if (type.startsWith('Action.') && isBlank(value.title)) {
      errors.push(`${where(at)} (${type}): missing title (every action needs a non-empty title)`);
    }
  }
  for (const [key, child] of Object.entries(value)) {
    if (key !== 'data') accessibilityErrors(child, pointer(at, key), errors);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------------- renderer

type AdaptiveCards = typeof AdaptiveCardsModule;

interface RenderEnvironment {
  window: DOMWindow;
  AC: AdaptiveCards;
  hostConfig: AdaptiveCardsModule.HostConfig;
  globalNames: string[];
}

let renderEnvironment: RenderEnvironment | undefined;

/**
 * DOM globals installed while the renderer runs (plus every HTML*Element constructor of the window). Found by
 * rendering cards with every 1.5 element type under a logging proxy: adaptivecards reads `document` and `window`
 * and uses HTMLElement / HTMLButtonElement in instanceof checks; the bundle also references Node,
 * getComputedStyle, requestAnimationFrame and other HTML*Element constructors on other code paths (focus handling,
 * text truncation, popups), so those are provided too.
 */
const DOM_GLOBALS = [
  'window',
  'document',
  'navigator',
  'Node',
  'Element',
  'getComputedStyle',
  'requestAnimationFrame',
  'cancelAnimationFrame',
];

function getRenderEnvironment(): RenderEnvironment {
  if (renderEnvironment) return renderEnvironment;

  const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', {
    pretendToBeVisual: true,
  });
  const window = dom.window;
  // jsdom does not implement innerText, which the renderer uses to write plain text; map it to textContent.
  const htmlElementPrototype = window.HTMLElement.prototype as object;
  if (!('innerText' in htmlElementPrototype)) {
    Object.defineProperty(htmlElementPrototype, 'innerText', {
      configurable: true,
      get(this: HTMLElement) {
        return this.textContent ?? '';
      },
      set(this: HTMLElement, text: unknown) {
        this.textContent = String(text);
      },
    });
  }
  const windowProperties = Object.getOwnPropertyNames(window);
  const globalNames = [
    ...DOM_GLOBALS,
    ...windowProperties.filter((name) => /^HTML[A-Za-z]*Element$/.test(name)),
  ].filter((name) => name in window);

  // The package's "main" (lib/) is untranspiled ESM that jest cannot load; dist/ is the same code as a UMD bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate: load the CommonJS (UMD) build
  const AC = require('adaptivecards/dist/adaptivecards.js') as AdaptiveCards;
  // Teams renders markdown itself; plain text is enough here and avoids the "markdown not enabled" console warning.
  AC.AdaptiveCard.onProcessMarkdown = (_text, result) => {
    result.didProcess = false;
  };
  const hostConfig = new AC.HostConfig(JSON.parse(readFileSync(HOST_CONFIG_PATH, 'utf8')) as object);

  renderEnvironment = { window, AC, hostConfig, globalNames };
  return renderEnvironment;
}

/** Runs `fn` with the JSDOM window's DOM globals installed on globalThis, then restores the previous globals. */
function withDomGlobals<T>(env: RenderEnvironment, fn: () => T): T {
  const source = env.window as unknown as Record<string, unknown>;
  const saved: Array<[string, PropertyDescriptor | undefined]> = [];
  for (const name of env.globalNames) {
    const previous = Object.getOwnPropertyDescriptor(globalThis, name);
    if (previous && !previous.configurable) continue;
    const value = source[name];
    // Window functions such as getComputedStyle must be called on the window; constructors must stay unbound.
    const installed = typeof value === 'function' && /^[a-z]/.test(name) ? value.bind(env.window) : value;
    Object.defineProperty(globalThis, name, { value: installed, configurable: true, writable: true });
    saved.push([name, previous]);
  }
  try {
    return fn();
  } finally {
    for (const [name, previous] of saved.reverse()) {
      if (previous) Object.defineProperty(globalThis, name, previous);
      else delete (globalThis as Record<string, unknown>)[name];
    }
  }
}

function describeRendererEvent(AC: AdaptiveCards, event: AdaptiveCardsModule.IValidationEvent): string {
  const source = event.source;
  let subject = '';
  if (source instanceof AC.CardObject) {
    const id = source.id ? ` "${source.id}"` : '';
    subject = ` ${source.getJsonTypeName()}${id}`;
  }
  const phase = AC.ValidationPhase[event.phase] ?? String(event.phase);
  const kind = AC.ValidationEvent[event.event] ?? String(event.event);
  return `renderer ${phase.toLowerCase()}${subject}: ${event.message} [${kind}]`;
}

function rendererErrors(card: JsonObject): string[] {
  const env = getRenderEnvironment();
  const { AC } = env;
  return withDomGlobals(env, () => {
    const errors: string[] = [];
    const adaptiveCard = new AC.AdaptiveCard();
    adaptiveCard.hostConfig = env.hostConfig;
    // Parse at 1.6: adaptivecards only reads Input.ChoiceSet "choices.data" (dynamic typeahead) from 1.6 on, but
    // Teams supports it in 1.5 cards. The 1.5 JSON Schema and the version check above keep everything else at 1.5.
    const context = new AC.SerializationContext(AC.Versions.v1_6);
    adaptiveCard.parse(card, context);

    const events: AdaptiveCardsModule.IValidationEvent[] = [];
    for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i));
    events.push(...adaptiveCard.validateProperties().validationEvents);
    for (const event of events) {
      // Dynamic typeahead (Input.ChoiceSet with "choices.data") legitimately has no static choices.
      const dynamicChoices =
        event.event === AC.ValidationEvent.CollectionCantBeEmpty &&
        event.source instanceof AC.ChoiceSetInput &&
        event.source.choicesData !== undefined;
      if (!dynamicChoices) errors.push(describeRendererEvent(AC, event));
    }

    let rendered: HTMLElement | undefined;
    try {
      rendered = adaptiveCard.render();
    } catch (error) {
      errors.push(`renderer render: threw ${error instanceof Error ? error.message : String(error)}`);
      return errors;
    }
    if (!rendered) {
      errors.push('renderer render: render() returned no element');
    } else if (
      (rendered.textContent ?? '').trim() === '' &&
      rendered.querySelector('input, textarea, select') === null
    ) {
      errors.push('renderer render: the rendered card shows no text and no inputs');
    }
    return errors;
  });
}

// ---------------------------------------------------------------------------------------------------- API

/** Validates a card for Microsoft Teams; returns every problem found (an empty list means valid). */
export function validateCard(card: unknown): CardValidationResult {
  let json: string | undefined;
  try {
    json = JSON.stringify(card);
  } catch (error) {
    return { errors: [`(root): card is not JSON-serializable: ${(error as Error).message}`] };
  }
  if (json === undefined) return { errors: ['(root): card is not JSON-serializable'] };
  // Validate exactly what Teams would receive (undefined properties dropped, dates as strings, ...).
  const sent: unknown = JSON.parse(json);
  if (!isObject(sent)) {
    return { errors: [`(root): an Adaptive Card must be a JSON object, got ${JSON.stringify(sent)}`] };
  }

  const errors = [
    ...schemaErrors(sent),
    ...versionErrors(sent),
    ...sizeErrors(sent),
    ...templateErrors(sent, ''),
    ...accessibilityErrors(sent, ''),
  ];
  try {
    errors.push(...rendererErrors(sent));
  } catch (error) {
    errors.push(`renderer: failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { errors: [...new Set(errors)] };
}

/** Throws an Error listing every problem when the card is not valid for Microsoft Teams. */
export function expectValidCard(card: unknown): void {
  const { errors } = validateCard(card);
  if (errors.length > 0) {
    const plural = errors.length === 1 ? 'problem' : 'problems';
    throw new Error(
      `Adaptive Card is not valid for Microsoft Teams (${errors.length} ${plural}):\n${errors
        .map((e) => `  - ${e}`)
        .join('\n')}`,
    );
  }
}
