/** The reference's text feature: string columns joined with a separator, missing read as "". */
import { type Table } from './table';

export interface TextFeatureOptions {
  name: string;
  columns: readonly string[];
  /** Default " " (the reference: title + " " + song_name). */
  separator?: string;
}

export function addTextFeature(table: Table, opts: TextFeatureOptions): Table {
  if (opts.columns.length === 0) throw new Error(`text feature "${opts.name}": no source columns`);
  const sep = opts.separator ?? ' ';
  const sources = opts.columns.map((c): readonly (string | null)[] => {
    const col = table.column(c);
    if (col.type === 'string') return col.values;
    // A column with no value at all has no type of its own: a CSV reader calls it numeric (pandas
    // too, which the reference then fills with ""). As a text source it is all missing.
    if (table.nRows === 0 || table.numeric(c).every((v) => v !== v))
      return new Array<null>(table.nRows).fill(null);
    throw new Error(`text feature "${opts.name}": column "${c}" is ${col.type}, expected string`);
  });
  const out = new Array<string>(table.nRows);
  for (let i = 0; i < table.nRows; i++) {
    let s = sources[0][i] ?? '';
    for (let k = 1; k < sources.length; k++) s += sep + (sources[k][i] ?? '');
    out[i] = s;
  }
  return table.withColumn({ name: opts.name, type: 'string', values: out });
}
