/** CSV in and out. Parsing is csv-parse's; this module maps text fields to typed columns. */
import { isUtf8 } from 'node:buffer';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { type ColumnType, Table } from './table';
import { columnsFromText } from './columns-from-text';
import { DEFAULT_NA_VALUES } from './parse-value';

export interface CsvReadOptions {
  /** Declared column types; other columns are inferred. */
  types?: Readonly<Record<string, ColumnType>>;
  /** Tokens read as missing, default ["", "NA", "NaN", "null"]. */
  naValues?: readonly string[];
  /** Keep only these columns (in this order). */
  columns?: readonly string[];
  /** Names the input in errors; default the file's base name. */
  source?: string;
}

/** Parses CSV text (with a header line) into a table. */
export function parseCsv(text: string | Buffer, opts: CsvReadOptions = {}): Table {
  const source = opts.source ?? 'csv';
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_quotes: false }) as string[][];
  } catch (err) {
    throw new Error(`${source}: cannot parse CSV: ${(err as Error).message}`, { cause: err });
  }
  if (records.length === 0) throw new Error(`${source}: empty CSV (no header line)`);
  const header = records[0];
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new Error(`${source}: duplicate column "${h}" in the header`);
    seen.add(h);
  }
  const rows = records.slice(1);
  let table = new Table(
    columnsFromText(header, rows, {
      source,
      types: opts.types,
      naValues: opts.naValues ?? DEFAULT_NA_VALUES,
    }),
    rows.length,
  );
  if (opts.columns) {
    for (const c of opts.columns) if (!table.has(c)) throw new Error(`${source}: missing column "${c}"`);
    table = table.select(opts.columns);
  }
  return table;
}

export async function readCsv(path: string, opts: CsvReadOptions = {}): Promise<Table> {
  const bytes = await readFile(path);
  const source = opts.source ?? basename(path);
  assertUtf8(bytes, source);
  return parseCsv(bytes, { ...opts, source });
}

/**
 * CSV files are read as UTF-8. Bytes that are not (a Latin-1 or Windows-1252 export) would otherwise
 * become U+FFFD silently, and a category "café" a different one from "caf�": stop and say where.
 */
export function assertUtf8(bytes: Uint8Array, source: string): void {
  if (isUtf8(bytes)) return; // Native and fast; the scan below only runs to find where it is not.
  const bad = firstInvalidUtf8(bytes);
  if (bad === undefined) return;
  let line = 1;
  for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) line++;
  throw new Error(
    `${source}: line ${line}: byte 0x${bytes[bad].toString(16).toUpperCase().padStart(2, '0')} at offset ${bad} is not UTF-8; ` +
      'save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8 IN.csv > OUT.csv)',
  );
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence, if any. */
export function firstInvalidUtf8(b: Uint8Array): number | undefined {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 either.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += n + 1;
  }
  return undefined;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

function quote(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text of a table: missing values are empty fields, numbers in shortest round-trip form. */
export function formatCsv(table: Table): string {
  const lines = new Array<string>(table.nRows + 1);
  lines[0] = table.names.map(quote).join(',');
  const cols = table.columns;
  const fields = new Array<string>(cols.length);
  for (let i = 0; i < table.nRows; i++) {
    for (let j = 0; j < cols.length; j++) {
      const c = cols[j];
      if (c.type === 'string') {
        const v = c.values[i];
        fields[j] = v === null ? '' : quote(v);
      } else {
        const v = c.values[i];
        fields[j] = Number.isNaN(v) ? '' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
      }
    }
    lines[i + 1] = fields.join(',');
  }
  return lines.join('\n') + '\n';
}

/** Writes a table as CSV; the file appears complete or not at all (write to a temp name, then rename). */
export async function writeCsv(table: Table, path: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, formatCsv(table));
  await rename(tmp, path);
}
