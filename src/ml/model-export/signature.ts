/**
 * MLflow-style model signatures (column-based) and their enforcement at serving time: a missing
 * column is an error naming it, extra columns are ignored, a wrong type is an error naming the column
 * and both types; integers are accepted where double is expected, as MLflow does.
 */
import { type ColumnSpec, type ColumnType, Table, isNumericType } from '../table/table';
import { tableFromRecords } from '../table/records';

export interface SignatureColumn {
  name: string;
  type: ColumnType;
  required?: boolean;
}

export interface ModelSignature {
  inputs: SignatureColumn[];
  outputs: { type: string; name?: string; required?: boolean }[];
}

/** A client's input does not match the model's signature (the scoring server answers 400). */
export class SignatureError extends Error {
  override readonly name = 'SignatureError';
}

export function signatureOf(inputSchema: readonly ColumnSpec[]): ModelSignature {
  return {
    inputs: inputSchema.map((c) => ({ type: c.type, name: c.name, required: true })),
    outputs: [{ type: 'string', name: 'prediction', required: true }],
  };
}

function specsOf(signature: ModelSignature | readonly ColumnSpec[]): readonly ColumnSpec[] {
  return Array.isArray(signature) ? signature : (signature as ModelSignature).inputs;
}

function enforceTable(table: Table, specs: readonly ColumnSpec[], source: string): Table {
  const cols = specs.map((s) => {
    if (!table.has(s.name)) throw new SignatureError(`${source}: missing column "${s.name}"`);
    const c = table.column(s.name);
    const bad = (): never => {
      throw new SignatureError(`${source}: column "${s.name}" has type ${c.type}, expected ${s.type}`);
    };
    if (s.type === 'string') {
      if (c.type !== 'string') bad();
      return c;
    }
    if (!isNumericType(c.type)) bad();
    if (s.type === 'long' && c.type === 'double') {
      // A float column holding only integers (e.g. an int column with a missing value) is fine.
      const v = c.values as Float64Array;
      for (let i = 0; i < v.length; i++) {
        if (!Number.isNaN(v[i]) && !Number.isInteger(v[i])) {
          throw new SignatureError(
            `${source}: column "${s.name}" row ${i + 1}: ${v[i]} is not a long (integer)`,
          );
        }
      }
    }
    return { name: s.name, type: s.type, values: c.values as Float64Array };
  });
  return new Table(cols, table.nRows);
}

/**
 * The input as a table with exactly the signature's columns, in its types. Records are JSON objects
 * (dataframe_records); tables come from CSV, dataframe_split or files.
 */
export function enforceSignature(
  input: Table | readonly Record<string, unknown>[],
  signature: ModelSignature | readonly ColumnSpec[],
  opts: { source?: string } = {},
): Table {
  const source = opts.source ?? 'input';
  const specs = specsOf(signature);
  if (input instanceof Table) return enforceTable(input, specs, source);
  if (!Array.isArray(input)) throw new SignatureError(`${source}: expected a list of records`);
  try {
    return tableFromRecords(input, specs, { source });
  } catch (err) {
    throw new SignatureError((err as Error).message, { cause: err });
  }
}

/** Parses MLmodel's `signature.inputs` (a JSON string), validating each column. */
export function parseSignatureInputs(json: unknown, source = 'MLmodel'): SignatureColumn[] {
  let parsed: unknown;
  try {
    parsed = typeof json === 'string' ? JSON.parse(json) : json;
  } catch (err) {
    throw new Error(`${source}: signature.inputs is not valid JSON`, { cause: err });
  }
  if (!Array.isArray(parsed)) throw new Error(`${source}: signature.inputs must be a list`);
  return parsed.map((c: SignatureColumn, i) => {
    if (typeof c?.name !== 'string' || !['double', 'long', 'string'].includes(c.type)) {
      throw new Error(`${source}: signature.inputs[${i}] must be {name, type: double|long|string}`);
    }
    return { name: c.name, type: c.type, required: c.required !== false };
  });
}
