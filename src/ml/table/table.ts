/**
 * A columnar table: numeric columns are Float64Array (NaN = missing), string columns are arrays of
 * string | null (null = missing). `long` columns hold integers but stay Float64Array so that a missing
 * value has a representation and every numeric kernel reads one array type.
 */

export type ColumnType = 'double' | 'long' | 'string';

export interface NumericColumn {
  readonly name: string;
  readonly type: 'double' | 'long';
  readonly values: Float64Array;
}

export interface StringColumn {
  readonly name: string;
  readonly type: 'string';
  readonly values: readonly (string | null)[];
}

export type Column = NumericColumn | StringColumn;

/** A column's name and type, as in an MLflow column-based signature. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

export function isNumericType(type: ColumnType): type is 'double' | 'long' {
  return type === 'double' || type === 'long';
}

export class Table {
  readonly nRows: number;
  readonly columns: readonly Column[];
  readonly names: readonly string[];
  private readonly byName: ReadonlyMap<string, Column>;

  constructor(columns: readonly Column[], nRows?: number) {
    const n = nRows ?? (columns.length > 0 ? columns[0].values.length : 0);
    const byName = new Map<string, Column>();
    for (const c of columns) {
      if (byName.has(c.name)) throw new Error(`duplicate column "${c.name}"`);
      if (c.values.length !== n) {
        throw new Error(`column "${c.name}" has ${c.values.length} rows, expected ${n}`);
      }
      byName.set(c.name, c);
    }
    this.nRows = n;
    this.columns = columns;
    this.names = columns.map((c) => c.name);
    this.byName = byName;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  column(name: string): Column {
    const c = this.byName.get(name);
    if (!c) throw new Error(`missing column "${name}" (columns: ${this.names.join(', ')})`);
    return c;
  }

  numeric(name: string): Float64Array {
    const c = this.column(name);
    if (c.type === 'string') throw new Error(`column "${name}" is string, expected a numeric column`);
    return c.values;
  }

  strings(name: string): readonly (string | null)[] {
    const c = this.column(name);
    if (c.type !== 'string') throw new Error(`column "${name}" is ${c.type}, expected a string column`);
    return c.values;
  }

  schema(): ColumnSpec[] {
    return this.columns.map((c) => ({ name: c.name, type: c.type }));
  }

  /** A table with `col` replacing the column of the same name, or appended. */
  withColumn(col: Column): Table {
    const cols = this.byName.has(col.name)
      ? this.columns.map((c) => (c.name === col.name ? col : c))
      : [...this.columns, col];
    return new Table(cols, this.nRows);
  }

  /** A table with only `names`, in that order. */
  select(names: readonly string[]): Table {
    return new Table(
      names.map((n) => this.column(n)),
      this.nRows,
    );
  }

  /** The value at (row, column) as plain JSON: number, string or null for missing. */
  value(row: number, name: string): number | string | null {
    const c = this.column(name);
    const v = c.values[row];
    if (c.type === 'string') return v as string | null;
    return Number.isNaN(v) ? null : (v as number);
  }
}
