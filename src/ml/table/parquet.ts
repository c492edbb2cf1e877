/**
 * Parquet in, through hyparquet (pure JS) and hyparquet-compressors (BROTLI, ZSTD, GZIP, LZ4, SNAPPY).
 * Both are ESM-only, so they are loaded with a dynamic import that TypeScript keeps in CommonJS output.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Column, type ColumnType, Table } from './table';
import { DEFAULT_NA_VALUES, parseNumber } from './parse-value';

export interface ParquetReadOptions {
  types?: Readonly<Record<string, ColumnType>>;
  /** Tokens read as missing in string columns (Parquet nulls are always missing). */
  naValues?: readonly string[];
  columns?: readonly string[];
  source?: string;
}

interface SchemaLeaf {
  name: string;
  type?: string;
  converted_type?: string;
  logical_type?: { type: string };
  num_children?: number;
}

function parquetType(el: SchemaLeaf): ColumnType {
  const logical = el.logical_type?.type;
  switch (el.type) {
    case 'DOUBLE':
    case 'FLOAT':
      return 'double';
    case 'INT32':
    case 'INT64':
    case 'BOOLEAN':
      if (logical === 'DECIMAL' || el.converted_type === 'DECIMAL') return 'double';
      if (logical === 'TIMESTAMP' || logical === 'DATE' || el.converted_type?.startsWith('TIMESTAMP'))
        return 'string';
      return 'long';
    default:
      return 'string';
  }
}

export async function readParquet(path: string, opts: ParquetReadOptions = {}): Promise<Table> {
  const source = opts.source ?? basename(path);
  const buf = await readFile(path);
  return parseParquet(buf, { ...opts, source });
}

export async function parseParquet(buf: Buffer | Uint8Array, opts: ParquetReadOptions = {}): Promise<Table> {
  const source = opts.source ?? 'parquet';
  const { parquetMetadata, parquetRead } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  let meta;
  try {
    meta = parquetMetadata(file);
  } catch (err) {
    throw new Error(`${source}: not a readable Parquet file: ${(err as Error).message}`, { cause: err });
  }
  const schema = meta.schema as SchemaLeaf[];
  // Flat tables only: the root's children must all be leaves.
  const leaves = schema.slice(1);
  for (const el of leaves) {
    if (el.num_children)
      throw new Error(`${source}: column "${el.name}" is nested; only flat tables are supported`);
  }
  checkRowGroupTypes(source, leaves, meta.row_groups as RowGroupMeta[]);
  const wanted = opts.columns ?? leaves.map((l) => l.name);
  for (const c of wanted) {
    if (!leaves.some((l) => l.name === c)) throw new Error(`${source}: missing column "${c}"`);
  }
  const nRows = Number(meta.num_rows);
  const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
  try {
    await parquetRead({
      file,
      compressors,
      columns: [...wanted],
      onChunk: (c) => {
        let list = chunks.get(c.columnName);
        if (!list) chunks.set(c.columnName, (list = []));
        list.push({ rowStart: c.rowStart, data: c.columnData as ArrayLike<unknown> });
      },
    });
  } catch (err) {
    throw new Error(`${source}: cannot decode Parquet data: ${(err as Error).message}`, { cause: err });
  }
  const na = new Set(opts.naValues ?? DEFAULT_NA_VALUES);
  const columns: Column[] = wanted.map((name) => {
    const el = leaves.find((l) => l.name === name) as SchemaLeaf;
    const physical = parquetType(el);
    const type = opts.types?.[name] ?? physical;
    const parts = chunks.get(name) ?? [];
    if (type === 'string') {
      const values = new Array<string | null>(nRows).fill(null);
      for (const { rowStart, data } of parts) {
        for (let i = 0; i < data.length; i++) values[rowStart + i] = toText(data[i], na);
      }
      return { name, type, values };
    }
    const values = new Float64Array(nRows).fill(NaN);
    for (const { rowStart, data } of parts) {
      // Fast paths: a DOUBLE chunk without nulls is a Float64Array, an INT64 one a BigInt64Array.
      if (data instanceof Float64Array && type === 'double') {
        values.set(data, rowStart);
        continue;
      }
      if (data instanceof BigInt64Array || data instanceof Int32Array) {
        for (let i = 0; i < data.length; i++) values[rowStart + i] = Number(data[i]);
        continue;
      }
      for (let i = 0; i < data.length; i++) {
        const v = toNumber(data[i], na);
        if (v === undefined) {
          throw new Error(
            `${source}: column "${name}" row ${rowStart + i + 1}: ${JSON.stringify(String(data[i]))} is not a number`,
          );
        }
        if (type === 'long' && !Number.isNaN(v) && !Number.isInteger(v)) {
          throw new Error(`${source}: column "${name}" row ${rowStart + i + 1}: ${v} is not an integer`);
        }
        values[rowStart + i] = v;
      }
    }
    return { name, type, values };
  });
  return new Table(columns, nRows);
}

interface RowGroupMeta {
  num_rows: bigint | number;
  columns: { meta_data?: { type: string; path_in_schema: string[] } }[];
}

/**
 * A column has one physical type in the schema, and every row group's chunk must say the same: a file
 * stitched together from differently typed parts would otherwise fail deep in the decoder with a
 * message about typed-array lengths.
 */
function checkRowGroupTypes(source: string, leaves: SchemaLeaf[], rowGroups: RowGroupMeta[]): void {
  let firstRow = 1;
  rowGroups.forEach((rg, g) => {
    for (const chunk of rg.columns) {
      const md = chunk.meta_data;
      const leaf = md && leaves.find((l) => l.name === md.path_in_schema.at(-1));
      if (md && leaf?.type && md.type !== leaf.type) {
        throw new Error(
          `${source}: column "${leaf.name}" is ${leaf.type} in the file's schema but ${md.type} in row group ${g + 1} ` +
            `(rows ${firstRow}–${firstRow + Number(rg.num_rows) - 1}): the file is inconsistent; ` +
            'write it again with one type per column (e.g. cast the column before to_parquet)',
        );
      }
    }
    firstRow += Number(rg.num_rows);
  });
}

function toText(v: unknown, na: ReadonlySet<string>): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return na.has(v) ? null : v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  return String(v);
}

/** NaN for missing, undefined for a value that is not a number. */
function toNumber(v: unknown, na: ReadonlySet<string>): number | undefined {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    if (na.has(v)) return NaN;
    const n = parseNumber(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}
