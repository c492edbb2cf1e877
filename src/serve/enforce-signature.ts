/**
 * Signature enforcement: turns request rows (any MLflow format) into a table of typed columns in
 * signature order (long = integral double, missing = NaN / null).
 * A missing required column, a value of the wrong type or a row of the wrong shape is a 400 that names
 * the column (and row); columns the signature does not list are never read, so extra ones are ignored.
 *
 * Cells are read only through own properties, so keys like `__proto__` or `constructor` in a record can
 * neither match a column by accident nor reach the prototype chain.
 */
import { type Column, DEFAULT_NA_VALUES, parseNumber, Table } from '../ml/table';
import { badRequest } from './errors';
import { type ColumnsInput, type RawInput, type RecordsInput, type SplitInput } from './raw-input';
import { type InputColumn } from './scoring-model';

/** Text cells (CSV) that mean "missing" in any column: the same tokens the batch CSV reader uses. */
const MISSING_TEXT = new Set(DEFAULT_NA_VALUES);

const hasOwn = Object.prototype.hasOwnProperty;

/** Reads cell (row, column) of one input format; undefined means "absent in this row". */
type CellReader = (row: number) => unknown;

export function enforceSignature(input: RawInput, signature: readonly InputColumn[]): Table {
  const nRows = countRows(input);
  if (nRows === 0) throw badRequest(`The input (${input.source}) has no rows.`);
  const textCells = input.kind === 'split' && input.textCells;

  // Every missing column is reported at once, before any value is read.
  const readers = signature.map((spec) => cellReader(input, spec.name));
  const missing = signature
    .filter((spec, j) => readers[j] === undefined && spec.required)
    .map((s) => `'${s.name}'`);
  if (missing.length > 0)
    throw badRequest(`Model is missing inputs [${missing.join(', ')}] (${input.source}).`);
  const columns = signature.map((spec, j) => {
    const read = readers[j];
    return read === undefined ? allMissing(spec, nRows) : readColumn(spec, read, nRows, textCells);
  });
  return new Table(columns, nRows);
}

function countRows(input: RawInput): number {
  switch (input.kind) {
    case 'split':
      return countSplitRows(input);
    case 'records':
      return countRecords(input);
    case 'columns':
      return countColumnRows(input);
  }
}

function countSplitRows(input: SplitInput): number {
  const width = input.columns.length;
  for (let i = 0; i < input.data.length; i++) {
    const row = input.data[i];
    if (!Array.isArray(row)) throw badRequest(`${input.source}[${i}] must be an array of ${width} values.`);
    if (row.length !== width) {
      throw badRequest(`${input.source}[${i}] has ${row.length} values but there are ${width} columns.`);
    }
  }
  return input.data.length;
}

function countRecords(input: RecordsInput): number {
  for (let i = 0; i < input.rows.length; i++) {
    const row = input.rows[i];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw badRequest(`${input.source}[${i}] must be a record (a JSON object), got ${describe(row)}.`);
    }
  }
  return input.rows.length;
}

/** A dict of columns is either all arrays of one length, or all scalars (one row). */
function countColumnRows(input: ColumnsInput): number {
  let length = -1;
  let scalars = 0;
  for (const key of Object.keys(input.columns)) {
    const values = input.columns[key];
    if (!Array.isArray(values)) {
      scalars++;
      continue;
    }
    if (length === -1) length = values.length;
    else if (values.length !== length) {
      throw badRequest(
        `${input.source}: column '${key}' has ${values.length} values, others have ${length}.`,
      );
    }
  }
  if (length === -1) return scalars > 0 ? 1 : 0;
  if (scalars > 0)
    throw badRequest(`${input.source}: mix of list and scalar columns; use lists for every column.`);
  return length;
}

function cellReader(input: RawInput, name: string): CellReader | undefined {
  switch (input.kind) {
    case 'split': {
      const j = input.columns.indexOf(name);
      if (j === -1) return undefined;
      const data = input.data as readonly (readonly unknown[])[];
      return (i) => data[i][j];
    }
    case 'records': {
      const rows = input.rows as readonly object[];
      if (!rows.some((r) => hasOwn.call(r, name))) return undefined;
      return (i) => (hasOwn.call(rows[i], name) ? (rows[i] as Record<string, unknown>)[name] : undefined);
    }
    case 'columns': {
      if (!hasOwn.call(input.columns, name)) return undefined;
      const values = input.columns[name];
      return Array.isArray(values) ? (i) => values[i] : () => values;
    }
  }
}

function allMissing(spec: InputColumn, nRows: number): Column {
  const { name, type } = spec;
  if (type === 'string') return { name, type, values: new Array<string | null>(nRows).fill(null) };
  return { name, type, values: new Float64Array(nRows).fill(NaN) };
}

function readColumn(spec: InputColumn, read: CellReader, nRows: number, textCells: boolean): Column {
  const { name, type } = spec;
  if (type === 'string') {
    const values = new Array<string | null>(nRows);
    for (let i = 0; i < nRows; i++) values[i] = stringCell(read(i), spec, i, textCells);
    return { name, type, values };
  }
  const values = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const v = read(i);
    values[i] = textCells && typeof v === 'string' ? textNumericCell(v, spec, i) : numericCell(v, spec, i);
  }
  return { name, type, values };
}

function stringCell(v: unknown, spec: InputColumn, row: number, textCells: boolean): string | null {
  if (typeof v === 'string') return textCells && MISSING_TEXT.has(v) ? null : v;
  if (v === null || v === undefined) return null;
  throw wrongType(spec, row, v);
}

function numericCell(v: unknown, spec: InputColumn, row: number): number {
  if (v === null || v === undefined) return NaN;
  if (typeof v !== 'number') throw wrongType(spec, row, v);
  return checkedNumber(v, spec, row);
}

function textNumericCell(text: string, spec: InputColumn, row: number): number {
  if (MISSING_TEXT.has(text.trim())) return NaN;
  const v = parseNumber(text);
  if (Number.isNaN(v)) throw wrongType(spec, row, text);
  return checkedNumber(v, spec, row);
}

function checkedNumber(v: number, spec: InputColumn, row: number): number {
  if (!Number.isFinite(v)) {
    throw badRequest(`Column '${spec.name}' expects a finite ${spec.type}, but row ${row + 1} is ${v}.`);
  }
  if (spec.type === 'long' && !Number.isInteger(v)) throw wrongType(spec, row, v);
  return v;
}

/** Rows are counted from 1 in messages, as the ML library's readers do. */
function wrongType(spec: InputColumn, row: number, value: unknown): Error {
  return badRequest(
    `Column '${spec.name}' expects type ${spec.type}, but row ${row + 1} has ${describe(value)}.`,
  );
}

/** A short, safe rendering of a bad value for an error message. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case 'number':
      return Number.isInteger(v) ? `integer ${v}` : `number ${v}`;
    case 'boolean':
      return `boolean ${v}`;
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}
