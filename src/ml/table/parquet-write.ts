/**
 * Parquet out, through hyparquet-writer (pure JS, the writing half of the hyparquet family the
 * readers use). Tables between pipeline steps travel as Parquet so that no step parses text or
 * re-infers types: a `double` column is DOUBLE, a `long` column INT32 when every value fits (else
 * INT64: JavaScript reads and writes those as BigInt, one allocation per value), a `string` column UTF-8
 * BYTE_ARRAY (dictionary-encoded by the writer where that pays), and a missing value is a null.
 * The file is written one row group at a time, so the only per-row arrays built for the writer are
 * one row group's.
 */
import { rename, unlink } from 'node:fs/promises';
import type { Column, Table } from './table';

/** Rows per row group: big enough for good compression, small enough to bound the writer's arrays. */
export const PARQUET_ROW_GROUP = 131_072;

/** Identifies the writer in the file footer; fixed, so equal tables give byte-identical files. */
const CREATED_BY = 'temporal-ml-pipeline (hyparquet-writer)';

type WriterColumn = {
  name: string;
  data: ArrayLike<unknown>;
  type: 'DOUBLE' | 'INT32' | 'INT64' | 'STRING';
  encoding?: 'PLAIN';
};

/** One row group's slice of a column in the writer's terms (null = missing). */
function groupData(c: Column, start: number, end: number, intType: 'INT32' | 'INT64'): WriterColumn {
  if (c.type === 'string') return { name: c.name, type: 'STRING', data: c.values.slice(start, end) };
  const src = c.values.subarray(start, end);
  let missing = false;
  for (let i = 0; i < src.length; i++) {
    if (src[i] !== src[i]) {
      missing = true;
      break;
    }
  }
  if (c.type === 'double') {
    // Measured values rarely repeat enough for a dictionary to pay; trying one costs a hash per value.
    if (!missing) return { name: c.name, type: 'DOUBLE', data: src, encoding: 'PLAIN' };
    const out = new Array<number | null>(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i] !== src[i] ? null : src[i];
    return { name: c.name, type: 'DOUBLE', data: out, encoding: 'PLAIN' };
  }
  if (intType === 'INT32') {
    if (!missing) return { name: c.name, type: 'INT32', data: Int32Array.from(src) };
    const out = new Array<number | null>(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i] !== src[i] ? null : src[i];
    return { name: c.name, type: 'INT32', data: out };
  }
  if (!missing) {
    const out = new BigInt64Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = BigInt(src[i]);
    return { name: c.name, type: 'INT64', data: out };
  }
  const out = new Array<bigint | null>(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] !== src[i] ? null : BigInt(src[i]);
  return { name: c.name, type: 'INT64', data: out };
}

/** INT32 when every present value of a long column fits in 32 bits, else INT64. */
function integerType(c: Column): 'INT32' | 'INT64' {
  const v = c.values as Float64Array;
  for (let i = 0; i < v.length; i++) if (v[i] < -2147483648 || v[i] > 2147483647) return 'INT64';
  return 'INT32';
}

function hasMissing(c: Column): boolean {
  const v = c.values;
  if (c.type === 'string') {
    for (let i = 0; i < v.length; i++) if (v[i] === null) return true;
  } else {
    for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) return true;
  }
  return false;
}

/**
 * The Parquet schema of a table, flat. A column with a missing value is OPTIONAL, one without is
 * REQUIRED: readers then skip the definition levels of the columns that have no nulls, which is
 * most of the cost of decoding a column.
 */
function schemaOf(table: Table, intTypes: ReadonlyMap<string, 'INT32' | 'INT64'>) {
  return [
    { name: 'root', num_children: table.columns.length },
    ...table.columns.map((c) => {
      const repetition_type = hasMissing(c) ? ('OPTIONAL' as const) : ('REQUIRED' as const);
      return c.type === 'string'
        ? { name: c.name, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type }
        : {
            name: c.name,
            type: c.type === 'long' ? (intTypes.get(c.name) ?? 'INT64') : ('DOUBLE' as const),
            repetition_type,
          };
    }),
  ];
}

/**
 * Writes a table as Snappy-compressed Parquet; the file appears complete or not at all (written
 * under a temporary name, then renamed).
 */
export async function writeParquet(table: Table, path: string): Promise<void> {
  const { ParquetWriter, fileWriter } = await import('hyparquet-writer');
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const intTypes = new Map(
    table.columns.filter((c) => c.type === 'long').map((c) => [c.name, integerType(c)] as const),
  );
  try {
    const writer = new ParquetWriter({
      writer: fileWriter(tmp),
      schema: schemaOf(table, intTypes),
      codec: 'SNAPPY',
      // Min/max statistics serve predicate push-down, which no reader of these artifacts does.
      statistics: false,
      createdBy: CREATED_BY,
    });
    for (let start = 0; start < table.nRows || start === 0; start += PARQUET_ROW_GROUP) {
      const end = Math.min(table.nRows, start + PARQUET_ROW_GROUP);
      // An empty table still gets its schema (the footer), with no row group.
      if (end === start) break;
      await writer.write({
        columnData: table.columns.map((c) =>
          groupData(c, start, end, intTypes.get(c.name) ?? 'INT64'),
        ) as never,
        rowGroupSize: end - start,
      });
    }
    await writer.finish();
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
