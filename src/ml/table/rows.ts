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
 * Per-row hashes of a table, column by column (no key object per row): a numeric value hashes its
 * IEEE bits, with every NaN (missing) one value and -0 folded into 0, so that equal values hash
 * alike; a string hashes the small integer code of its distinct value.
 */
function rowHashes(table: Table): Uint32Array {
  const n = table.nRows;
  const h = new Uint32Array(n).fill(0x811c9dc5);
  const scratch = new Float64Array(1);
  const bits = new Uint32Array(scratch.buffer);
  for (const c of table.columns) {
    if (c.type === 'string') {
      const ids = new Map<string | null, number>();
      const v = c.values;
      for (let i = 0; i < n; i++) {
        let id = ids.get(v[i]);
        if (id === undefined) ids.set(v[i], (id = ids.size));
        h[i] = Math.imul(h[i] ^ id, 0x01000193) ^ (h[i] >>> 15);
      }
    } else {
      const v = c.values;
      for (let i = 0; i < n; i++) {
        const x = v[i];
        scratch[0] = x !== x ? NaN : x === 0 ? 0 : x;
        let k = Math.imul(bits[0], 0xcc9e2d51) ^ Math.imul(bits[1], 0x1b873593);
        k ^= k >>> 16;
        h[i] = Math.imul(h[i] ^ k, 0x01000193) ^ (h[i] >>> 15);
      }
    }
  }
  return h;
}

/** True when rows a and b hold equal values in every column (missing equals missing, -0 equals 0). */
function sameRow(table: Table, a: number, b: number): boolean {
  for (const c of table.columns) {
    const x = c.values[a];
    const y = c.values[b];
    if (x !== y && !(typeof x === 'number' && x !== x && y !== y)) return false;
  }
  return true;
}

/**
 * Indices of the first occurrence of each distinct row (missing equals missing, as in pandas), in
 * row order. Rows go into an open-addressing hash table of row numbers keyed by their column-wise
 * hash; rows whose hashes meet are compared value by value, so collisions are harmless.
 */
export function uniqueRowIndices(table: Table): Uint32Array {
  const n = table.nRows;
  const hashes = rowHashes(table);
  let size = 16;
  while (size < n * 2) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  const keep = new Uint32Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const h = hashes[i];
    let s = h & mask;
    let duplicate = false;
    for (;;) {
      const r = slots[s];
      if (r === -1) break;
      if (hashes[r] === h && sameRow(table, r, i)) {
        duplicate = true;
        break;
      }
      s = (s + 1) & mask;
    }
    if (!duplicate) {
      slots[s] = i;
      keep[kept++] = i;
    }
  }
  return keep.slice(0, kept);
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
