/**
 * Builds typed columns from rows of text fields (CSV, or any text-based input). A column's type is
 * inferred from all its values (long when every present value is an integer literal, double when every
 * present value is a number, string otherwise) unless `types` declares it.
 */
import { type Column, type ColumnType } from './table';
import { isIntegerText, parseNumber } from './parse-value';

export interface TextColumnsOptions {
  /** Names the input in error messages, e.g. `genres.csv`. */
  source: string;
  /** Declared column types; overrides inference. */
  types?: Readonly<Record<string, ColumnType>>;
  /** Tokens read as missing values (every column). */
  naValues: readonly string[];
  /** 1-based row number of rows[0] in error messages. */
  firstRow?: number;
}

export function columnsFromText(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  opts: TextColumnsOptions,
): Column[] {
  const na = new Set(opts.naValues);
  const firstRow = opts.firstRow ?? 1;
  for (const name of Object.keys(opts.types ?? {})) {
    if (!header.includes(name))
      throw new Error(`${opts.source}: declared column "${name}" is not in the header`);
  }
  return header.map((name, j) => {
    const declared = opts.types?.[name];
    const n = rows.length;
    if (declared !== 'string') {
      // One pass: parse as numbers; an inferred column falls back to string at the first non-number.
      const values = new Float64Array(n);
      let allInt = true;
      let present = false;
      let isNumeric = true;
      for (let i = 0; i < n; i++) {
        const t = rows[i][j];
        if (t === undefined || na.has(t)) {
          values[i] = NaN;
          continue;
        }
        const v = parseNumber(t);
        if (Number.isNaN(v)) {
          if (declared === undefined) {
            isNumeric = false;
            break;
          }
          throw new Error(
            `${opts.source}: column "${name}" row ${firstRow + i}: ${JSON.stringify(t)} is not a number`,
          );
        }
        present = true;
        if (allInt && !(Number.isInteger(v) && isIntegerText(t))) {
          if (declared === 'long') {
            throw new Error(
              `${opts.source}: column "${name}" row ${firstRow + i}: ${JSON.stringify(t)} is not an integer`,
            );
          }
          allInt = false;
        }
        values[i] = v;
      }
      if (isNumeric) {
        // A column with no values at all reads as double (all missing), as pandas does.
        const type: 'double' | 'long' = declared ?? (allInt && present ? 'long' : 'double');
        return { name, type, values };
      }
    }
    const values = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const t = rows[i][j];
      values[i] = t === undefined || na.has(t) ? null : t;
    }
    return { name, type: 'string' as const, values };
  });
}
