/** Row-level verbs: gather by index, exact-duplicate removal, stacking. */
import { type Column, Table } from './table';

/**
 * The rows at `indices`, in that order (a gather: numeric columns copy with one typed-array pass).
 * Index arrays are the currency of splits and samples, as in arquero; the table is reified here.
 */
export function selectRows(table: Table, indices: Uint32Array | readonly number[]): Table {
  const n = indices.length;
  const cols: Column[] = table.columns.map((c) => {
    if (c.type === 'string') {
      const src = c.values;
      const out = new Array<string | null>(n);
      for (let i = 0; i < n; i++) {
        const k = indices[i];
        if (k >= table.nRows) throw new RangeError(`row index ${k} out of range (${table.nRows} rows)`);
        out[i] = src[k];
      }
      return { name: c.name, type: c.type, values: out };
    }
    const src = c.values;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = indices[i];
      if (k >= table.nRows) throw new RangeError(`row index ${k} out of range (${table.nRows} rows)`);
      out[i] = src[k];
    }
    return { name: c.name, type: c.type, values: out };
  });
  return new Table(cols, n);
}

/**
 * Dense integer codes of a column's values (equal values, and all missing values, share a code).
 * Rows compare by these codes, which is cheaper than building a string key per row.
 */
function valueCodes(c: Column, n: number): Int32Array {
  const codes = new Int32Array(n);
  if (c.type === 'string') {
    const ids = new Map<string | null, number>();
    for (let i = 0; i < n; i++) {
      const v = c.values[i];
      let id = ids.get(v);
      if (id === undefined) ids.set(v, (id = ids.size));
      codes[i] = id;
    }
  } else {
    // Map keys use SameValueZero: NaN equals NaN (missing equals missing, as pandas), and -0 equals 0.
    const ids = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const v = c.values[i];
      let id = ids.get(v);
      if (id === undefined) ids.set(v, (id = ids.size));
      codes[i] = id;
    }
  }
  return codes;
}

/** Indices of the first occurrence of each distinct row (missing equals missing, as in pandas). */
export function uniqueRowIndices(table: Table): Uint32Array {
  const n = table.nRows;
  const cols = table.columns.map((c) => valueCodes(c, n));
  const sameRow = (a: number, b: number): boolean => cols.every((c) => c[a] === c[b]);
  // Rows hash to a 53-bit key; rows sharing a key are compared code by code, so collisions are harmless.
  const firstByKey = new Map<number, number | number[]>();
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    let h1 = 0x811c9dc5;
    let h2 = 0x9e3779b9;
    for (let j = 0; j < cols.length; j++) {
      const x = cols[j][i];
      h1 = Math.imul(h1 ^ x, 0x01000193);
      h2 = Math.imul(h2 ^ (x + j), 0x85ebca6b) ^ (h2 >>> 13);
    }
    const key = (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
    const seen = firstByKey.get(key);
    if (seen === undefined) {
      firstByKey.set(key, i);
      keep.push(i);
    } else if (typeof seen === 'number') {
      if (!sameRow(seen, i)) {
        firstByKey.set(key, [seen, i]);
        keep.push(i);
      }
    } else if (!seen.some((r) => sameRow(r, i))) {
      seen.push(i);
      keep.push(i);
    }
  }
  return Uint32Array.from(keep);
}

/** Drops exact duplicate rows, keeping the first (pandas `drop_duplicates()`). */
export function dropDuplicates(table: Table): Table {
  const keep = uniqueRowIndices(table);
  return keep.length === table.nRows ? table : selectRows(table, keep);
}

/** Stacks tables with the same columns and types (pandas `concat`, ignore_index). */
export function concatTables(tables: readonly Table[]): Table {
  if (tables.length === 0) throw new Error('concatTables needs at least one table');
  const first = tables[0];
  const n = tables.reduce((s, t) => s + t.nRows, 0);
  const cols: Column[] = first.columns.map((c) => {
    for (const t of tables) {
      const other = t.column(c.name);
      if (other.type !== c.type) {
        throw new Error(`column "${c.name}" is ${c.type} in one table and ${other.type} in another`);
      }
    }
    if (c.type === 'string') {
      const out: (string | null)[] = [];
      for (const t of tables) for (const v of t.strings(c.name)) out.push(v);
      return { name: c.name, type: c.type, values: out };
    }
    const out = new Float64Array(n);
    let off = 0;
    for (const t of tables) {
      const v = t.numeric(c.name);
      out.set(v, off);
      off += v.length;
    }
    return { name: c.name, type: c.type, values: out };
  });
  return new Table(cols, n);
}
