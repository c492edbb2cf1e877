/** One entry point for data files: the extension picks the reader. */
import { extname } from 'node:path';
import { type Table } from './table';
import { type CsvReadOptions, readCsv } from './csv';
import { readParquet } from './parquet';

export type ReadTableOptions = CsvReadOptions;

export async function readTable(path: string, opts: ReadTableOptions = {}): Promise<Table> {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return readParquet(path, opts);
  if (ext === '.csv' || ext === '.txt') return readCsv(path, opts);
  throw new Error(`${path}: unknown data file type "${ext}" (expected .csv or .parquet)`);
}
