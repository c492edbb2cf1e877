/**
 * The shapes a scoring request's rows arrive in, after the body is parsed but before any value is checked.
 * Every MLflow input format maps onto one of these four; signature enforcement reads cells through them.
 */

/** `dataframe_split`: column names plus rows as arrays (also used for CSV, whose cells are strings). */
export interface SplitInput {
  readonly kind: 'split';
  readonly columns: readonly string[];
  readonly data: readonly unknown[];
  /** Where the rows came from, used in error messages (`dataframe_split.data`, `CSV`). */
  readonly source: string;
  /** CSV cells are text and get parsed by column type; JSON cells must already have the right type. */
  readonly textCells: boolean;
}

/** `dataframe_records`, or `instances`/`inputs` as a list of records. */
export interface RecordsInput {
  readonly kind: 'records';
  readonly rows: readonly unknown[];
  readonly source: string;
}

/** `instances`/`inputs` as a dict of columns: `{"col": [v0, v1, …]}` or one row of scalars `{"col": v}`. */
export interface ColumnsInput {
  readonly kind: 'columns';
  readonly columns: Readonly<Record<string, unknown>>;
  readonly source: string;
}

export type RawInput = SplitInput | RecordsInput | ColumnsInput;
