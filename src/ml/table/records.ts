/** Tables from and to plain JSON shapes: records (one object per row) and pandas' split orient. */
import { type Column, type ColumnSpec, type ColumnType, Table } from './table';

export interface RecordsOptions {
  /** Names the input in errors, e.g. `request`. */
  source?: string;
}

/** pandas `to_json(orient="split")` without the index: `{"columns": [...], "data": [[...], ...]}`. */
export interface SplitFrame {
  columns: string[];
  data: unknown[][];
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** One column from raw JSON values, converted to `type`; an error names the column, row and value. */
export function columnFromValues(
  name: string,
  type: ColumnType,
  get: (row: number) => unknown,
  nRows: number,
  source: string,
): Column {
  const where = (i: number): string => `${source}: column "${name}" row ${i + 1}`;
  if (type === 'string') {
    const values = new Array<string | null>(nRows);
    for (let i = 0; i < nRows; i++) {
      const v = get(i);
      if (v === null || v === undefined) values[i] = null;
      else if (typeof v === 'string') values[i] = v;
      else throw new Error(`${where(i)}: expected string, got ${describe(v)} ${JSON.stringify(v)}`);
    }
    return { name, type, values };
  }
  const values = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const v = get(i);
    if (v === null || v === undefined) values[i] = NaN;
    else if (typeof v === 'number') {
      if (type === 'long' && !Number.isInteger(v)) {
        throw new Error(`${where(i)}: expected long (an integer), got ${JSON.stringify(v)}`);
      }
      values[i] = v;
    } else throw new Error(`${where(i)}: expected ${type}, got ${describe(v)} ${JSON.stringify(v)}`);
  }
  return { name, type, values };
}

function inferJsonType(
  name: string,
  get: (row: number) => unknown,
  nRows: number,
  source: string,
): ColumnType {
  let sawNumber = false;
  let sawString = false;
  let allInt = true;
  for (let i = 0; i < nRows; i++) {
    const v = get(i);
    if (v === null || v === undefined) continue;
    if (typeof v === 'number') {
      sawNumber = true;
      if (!Number.isInteger(v)) allInt = false;
    } else if (typeof v === 'string') sawString = true;
    else throw new Error(`${source}: column "${name}" row ${i + 1}: unsupported value ${describe(v)}`);
  }
  if (sawString && sawNumber) {
    throw new Error(`${source}: column "${name}" mixes numbers and strings`);
  }
  if (sawString) return 'string';
  return sawNumber && allInt ? 'long' : 'double';
}

/**
 * A table from row objects. With a schema, exactly its columns in its types (a key absent from every
 * record is an error naming it; extra keys are ignored); without, the union of keys with inferred types.
 */
export function tableFromRecords(
  records: readonly Record<string, unknown>[],
  schema?: readonly ColumnSpec[],
  opts: RecordsOptions = {},
): Table {
  const source = opts.source ?? 'records';
  const n = records.length;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      throw new Error(`${source}: row ${i + 1} is not an object`);
    }
  }
  let specs: readonly { name: string; type?: ColumnType }[];
  if (schema) {
    for (const s of schema) {
      if (n > 0 && !records.some((r) => Object.prototype.hasOwnProperty.call(r, s.name))) {
        throw new Error(`${source}: missing column "${s.name}"`);
      }
    }
    specs = schema;
  } else {
    const names = new Set<string>();
    for (const r of records) for (const k of Object.keys(r)) names.add(k);
    specs = [...names].map((name) => ({ name }));
  }
  const cols = specs.map((s) => {
    const get = (i: number): unknown => records[i][s.name];
    return columnFromValues(s.name, s.type ?? inferJsonType(s.name, get, n, source), get, n, source);
  });
  return new Table(cols, n);
}

/** A table from pandas' split orient; with a schema, as tableFromRecords. */
export function tableFromSplit(
  frame: SplitFrame,
  schema?: readonly ColumnSpec[],
  opts: RecordsOptions = {},
): Table {
  const source = opts.source ?? 'dataframe_split';
  if (!frame || !Array.isArray(frame.columns) || !Array.isArray(frame.data)) {
    throw new Error(`${source}: expected {"columns": [...], "data": [[...], ...]}`);
  }
  const index = new Map<string, number>();
  frame.columns.forEach((c, j) => {
    if (typeof c !== 'string') throw new Error(`${source}: column name ${JSON.stringify(c)} is not a string`);
    if (index.has(c)) throw new Error(`${source}: duplicate column "${c}"`);
    index.set(c, j);
  });
  const n = frame.data.length;
  for (let i = 0; i < n; i++) {
    const row = frame.data[i];
    if (!Array.isArray(row) || row.length !== frame.columns.length) {
      throw new Error(
        `${source}: row ${i + 1} has ${Array.isArray(row) ? row.length : 0} values, expected ${frame.columns.length}`,
      );
    }
  }
  const specs: readonly { name: string; type?: ColumnType }[] =
    schema ?? frame.columns.map((name) => ({ name }));
  const cols = specs.map((s) => {
    const j = index.get(s.name);
    if (j === undefined) throw new Error(`${source}: missing column "${s.name}"`);
    const get = (i: number): unknown => frame.data[i][j];
    return columnFromValues(s.name, s.type ?? inferJsonType(s.name, get, n, source), get, n, source);
  });
  return new Table(cols, n);
}

/** pandas split orient of a table (missing → null), e.g. for input_example.json. */
export function tableToSplit(table: Table): SplitFrame {
  const data: unknown[][] = [];
  for (let i = 0; i < table.nRows; i++) data.push(table.names.map((n) => table.value(i, n)));
  return { columns: [...table.names], data };
}

export function tableToRecords(table: Table): Record<string, number | string | null>[] {
  const out: Record<string, number | string | null>[] = [];
  for (let i = 0; i < table.nRows; i++) {
    const r: Record<string, number | string | null> = {};
    for (const n of table.names) r[n] = table.value(i, n);
    out.push(r);
  }
  return out;
}
