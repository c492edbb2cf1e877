/**
 * MLflow's scoring protocol, request side: which input format a JSON body uses, its params, the `?proba`
 * query switch, and CSV bodies. The JSON schema below is compiled once by fastify (ajv) and checks only
 * the envelope; cell values are checked against the model signature in enforce-signature.ts.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { ScoringRequestError, badRequest } from './errors';
import { type RawInput } from './raw-input';

export const INPUT_FORMATS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** The body envelope. Deliberately shallow: nothing here recurses into user data, so deep nesting costs nothing. */
export const jsonBodySchema = {
  type: 'object',
  properties: {
    dataframe_split: {
      type: 'object',
      required: ['columns', 'data'],
      properties: {
        columns: { type: 'array', items: { type: 'string' } },
        data: { type: 'array', items: { type: 'array' } },
        index: { type: 'array' },
      },
    },
    dataframe_records: { type: 'array', items: { type: 'object' } },
    instances: { type: ['array', 'object'] },
    inputs: { type: ['array', 'object'] },
    params: { type: 'object' },
  },
} as const;

export interface ScoringRequest {
  input: RawInput;
  /** From `params.predict_proba`; the `?proba=` query switch is merged in by the route. */
  predictProba?: boolean;
}

export const REQUIRED_FORMAT_MESSAGE =
  'The input must be a JSON dictionary with exactly one of the input fields ' +
  `${INPUT_FORMATS.map((f) => `'${f}'`).join(', ')}`;

/** A JSON body already checked against jsonBodySchema. */
export function parseJsonRequest(body: Record<string, unknown>): ScoringRequest {
  const present = INPUT_FORMATS.filter((f) => Object.prototype.hasOwnProperty.call(body, f));
  if (present.length !== 1) {
    const got = Object.keys(body)
      .slice(0, 10)
      .map((k) => `'${k.slice(0, 40)}'`)
      .join(', ');
    throw badRequest(`${REQUIRED_FORMAT_MESSAGE}. Received dictionary with input fields: [${got}].`);
  }
  const format = present[0];
  return { input: rawInput(format, body[format]), predictProba: predictProbaParam(body.params) };
}

function rawInput(format: InputFormat, value: unknown): RawInput {
  switch (format) {
    case 'dataframe_split': {
      const split = value as { columns: string[]; data: unknown[] };
      return {
        kind: 'split',
        columns: split.columns,
        data: split.data,
        source: 'dataframe_split.data',
        textCells: false,
      };
    }
    case 'dataframe_records':
      return { kind: 'records', rows: value as unknown[], source: format };
    case 'instances':
    case 'inputs':
      return Array.isArray(value)
        ? { kind: 'records', rows: value, source: format }
        : { kind: 'columns', columns: value as Record<string, unknown>, source: format };
  }
}

function predictProbaParam(params: unknown): boolean | undefined {
  if (params === undefined || params === null) return undefined;
  const value = (params as Record<string, unknown>).predict_proba;
  if (!Object.prototype.hasOwnProperty.call(params, 'predict_proba') || value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    throw new ScoringRequestError(
      'INVALID_PARAMETER_VALUE',
      `params.predict_proba must be true or false, got ${JSON.stringify(value)?.slice(0, 40)}.`,
    );
  }
  return value;
}

/** `?proba=true|false|1|0`; absent → undefined. */
export function probaQueryParam(query: unknown): boolean | undefined {
  if (query === null || typeof query !== 'object') return undefined;
  const raw = (query as Record<string, unknown>).proba;
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === '1' || raw === '') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ScoringRequestError(
    'INVALID_PARAMETER_VALUE',
    `Query parameter proba must be true or false, got ${JSON.stringify(raw).slice(0, 40)}.`,
  );
}

/** A CSV body with a header row; every cell stays text until the signature says how to read it. */
export function parseCsvRequest(text: string): ScoringRequest {
  let rows: string[][];
  try {
    rows = parseCsv(text, { skip_empty_lines: true, bom: true }) as string[][];
  } catch (err) {
    throw new ScoringRequestError(
      'MALFORMED_REQUEST',
      `Failed to parse CSV input: ${(err as Error).message}.`,
    );
  }
  if (rows.length === 0)
    throw badRequest('The CSV input is empty: it needs a header row and at least one row.');
  const [header, ...data] = rows;
  return { input: { kind: 'split', columns: header, data, source: 'CSV rows', textCells: true } };
}
