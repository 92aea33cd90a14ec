import type { ErrorObject, ValidateFunction } from 'ajv';
import { CONNECTOR_TYPE_IDS } from '../connectors/catalog';
import { CONNECTOR_ID_PATTERN } from '../connectors/connector';
import type { ImportItem } from '../connectors/importService';
import { MAX_DISPLAY_NAME } from '../connectors/lifecycle';
import { ApiError } from './errors';

/** Most connectors one import request may carry. */
export const MAX_IMPORT_ITEMS = 1000;

/** Statuses an imported connector may have (a wizard in progress cannot be imported). */
export const IMPORT_STATUSES = ['authorized', 'awaiting-consent', 'deauthorized'] as const;

/** One connector as `POST /tenants/{tid}/connectors` takes it: the domain's import item. */
export type { ImportItem };

/** The body of `POST /tenants/{tid}/connectors/{id}/transfers`. */
export interface TransferBody {
  at?: string;
}

const dateTime = { type: 'string', format: 'date-time', maxLength: 64 } as const;

const importItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'displayName'],
  properties: {
    id: { type: 'string', pattern: CONNECTOR_ID_PATTERN },
    type: { type: 'string', enum: [...CONNECTOR_TYPE_IDS] },
    // No control characters, as displayNameProblem() in the lifecycle rules.
    displayName: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_DISPLAY_NAME,
      pattern: '^[^\\u0000-\\u001f\\u007f]*$',
    },
    status: { type: 'string', enum: [...IMPORT_STATUSES] },
    createdAt: dateTime,
    authorizedAt: dateTime,
    lastTransferAt: dateTime,
  },
};

const importListSchema = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_IMPORT_ITEMS,
  items: importItemSchema,
};

const transferSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { at: dateTime },
};

interface Validators {
  importItem: ValidateFunction<ImportItem>;
  importList: ValidateFunction<ImportItem[]>;
  transfer: ValidateFunction<TransferBody>;
}

let validators: Promise<Validators> | undefined;

/**
 * Compiled on the first body that needs them: a bot with the management API off never loads
 * ajv, and one with it on does not pay for it at start-up.
 */
function loadValidators(): Promise<Validators> {
  validators ??= Promise.all([import('ajv'), import('ajv-formats')]).then(
    ([{ default: Ajv }, { default: addFormats }]) => {
      const ajv = new Ajv({ allErrors: true, strict: true });
      addFormats(ajv, ['date-time']);
      return {
        importItem: ajv.compile<ImportItem>(importItemSchema),
        importList: ajv.compile<ImportItem[]>(importListSchema),
        transfer: ajv.compile<TransferBody>(transferSchema),
      };
    },
  );
  return validators;
}

/** At most this many problems are listed in one 422 message. */
const MAX_LISTED_ERRORS = 10;

/** One ajv error as "<path> <message>", naming the offending property where ajv leaves it out. */
function describe(error: ErrorObject): string {
  const path = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return `${path} must not have the property "${String(error.params.additionalProperty)}"`;
  }
  if (error.keyword === 'enum') {
    return `${path} must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
  }
  return `${path} ${error.message ?? 'is invalid'}`;
}

/** 422 listing what is wrong, each problem with its JSON pointer (e.g. `/3/displayName`). */
export function validationFailed(problems: string[]): ApiError {
  const listed = problems.slice(0, MAX_LISTED_ERRORS);
  const more = problems.length - listed.length;
  return new ApiError(
    422,
    'ValidationFailed',
    `The request body is not valid: ${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`,
  );
}

function check<T>(validate: ValidateFunction<T>, body: unknown): T {
  if (validate(body)) return body;
  throw validationFailed((validate.errors ?? []).map(describe));
}

/** The import body as a list: one object or an array of 1..1000; 422 naming every bad field. */
export async function parseImportBody(body: unknown): Promise<ImportItem[]> {
  const { importList, importItem } = await loadValidators();
  return Array.isArray(body) ? check(importList, body) : [check(importItem, body)];
}

/** The transfer body; no body at all means "now". */
export async function parseTransferBody(body: unknown): Promise<TransferBody> {
  return body === undefined ? {} : check((await loadValidators()).transfer, body);
}
