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

/** Indices of the first occurrence of each distinct row (missing equals missing, as in pandas). */
export function uniqueRowIndices(table: Table): Uint32Array {
  const seen = new Set<string>();
  const keep: number[] = [];
  const cols = table.columns;
  const parts = new Array<string>(cols.length);
  for (let i = 0; i < table.nRows; i++) {
    for (let j = 0; j < cols.length; j++) {
      const c = cols[j];
      if (c.type === 'string') {
        const v = c.values[i];
        // Prefixes keep null apart from the string "null" and a string apart from a number.
        parts[j] = v === null ? '\u0000' : 's' + v;
      } else {
        const v = c.values[i];
        parts[j] = Number.isNaN(v) ? '\u0000' : 'n' + v;
      }
    }
    const key = parts.join('\u0001');
    if (!seen.has(key)) {
      seen.add(key);
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
