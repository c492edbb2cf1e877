/**
 * The reference pipeline's data tests (column presence and type, class names, value ranges,
 * Kolmogorov–Smirnov drift against a reference dataset), as data-driven checks that collect every
 * failure instead of stopping at the first.
 */
import type { Table } from '../ml';
import { ks2samp } from '../ml';

export type ExpectedType = 'number' | 'integer' | 'string';

export interface CheckSpec {
  min_rows: number;
  max_rows?: number | null;
  required_columns: Record<string, ExpectedType>;
  known_classes: string[] | null;
  ranges: Record<string, { min?: number | null; max?: number | null }>;
}

export interface CheckFailure {
  check: string;
  column?: string;
  expected: string;
  found: string;
}

export interface KsColumnResult {
  column: string;
  statistic: number;
  pValue: number;
  passed: boolean;
}

export interface KsReport {
  reference: string;
  ksAlpha: number;
  /** 1 - (1 - ks_alpha)^(1/ncols): the reference's Šidák correction for testing many columns. */
  alphaCorrected: number;
  columns: KsColumnResult[];
}

function describeRow(i: number): string {
  return `row ${i + 1}`;
}

function checkType(table: Table, column: string, expected: ExpectedType): CheckFailure | undefined {
  const col = table.column(column);
  // A column with no value at all has no type of its own, so it satisfies any type rule.
  if (col.values.every((v) => v === null || v !== v)) return undefined;
  if (expected === 'string') {
    return col.type === 'string' ? undefined : { check: 'column_type', column, expected, found: col.type };
  }
  if (col.type === 'string') {
    // Name the value that made the column text, so the bad cell can be found.
    const i = col.values.findIndex((v) => v !== null && Number.isNaN(Number(v)));
    const found = i < 0 ? 'string' : `string (${JSON.stringify(col.values[i])} at ${describeRow(i)})`;
    return { check: 'column_type', column, expected, found };
  }
  if (expected === 'integer') {
    const values = col.values;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isNaN(v) && !Number.isInteger(v)) {
        return { check: 'column_type', column, expected, found: `non-integer ${v} at ${describeRow(i)}` };
      }
    }
  }
  return undefined;
}

export function runDeterministicChecks(table: Table, spec: CheckSpec, target: string): CheckFailure[] {
  const failures: CheckFailure[] = [];
  if (table.nRows < spec.min_rows) {
    failures.push({ check: 'min_rows', expected: `≥ ${spec.min_rows} rows`, found: `${table.nRows} rows` });
  }
  if (spec.max_rows != null && table.nRows > spec.max_rows) {
    failures.push({ check: 'max_rows', expected: `≤ ${spec.max_rows} rows`, found: `${table.nRows} rows` });
  }
  if (!table.has(target))
    failures.push({
      check: 'column_presence',
      column: target,
      expected: 'the target column',
      found: 'missing',
    });
  for (const [column, expected] of Object.entries(spec.required_columns)) {
    if (!table.has(column)) {
      failures.push({ check: 'column_presence', column, expected: `a ${expected} column`, found: 'missing' });
      continue;
    }
    const typeFailure = checkType(table, column, expected);
    if (typeFailure) failures.push(typeFailure);
  }
  for (const col of table.columns) {
    if (col.type === 'string') continue;
    const values = col.values;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === Infinity || values[i] === -Infinity) {
        failures.push({
          check: 'finite',
          column: col.name,
          expected: 'finite numbers',
          found: `${values[i]} at ${describeRow(i)}`,
        });
        break;
      }
    }
  }
  if (table.has(target)) failures.push(...targetFailures(table, target, spec.known_classes));
  for (const [column, range] of Object.entries(spec.ranges)) {
    if (!table.has(column)) continue;
    const col = table.column(column);
    if (col.type === 'string') continue;
    const lo = range.min ?? -Infinity;
    const hi = range.max ?? Infinity;
    let bad = 0;
    let first = -1;
    let worst = NaN;
    col.values.forEach((v, i) => {
      if (!Number.isNaN(v) && (v < lo || v > hi)) {
        bad++;
        if (first < 0) {
          first = i;
          worst = v;
        }
      }
    });
    if (bad > 0) {
      failures.push({
        check: 'range',
        column,
        expected: `[${range.min ?? '-∞'}, ${range.max ?? '∞'}]`,
        found: `${bad} rows outside, first ${worst} at ${describeRow(first)}`,
      });
    }
  }
  return failures;
}

/** A label of any type as the class name the model uses; undefined for a missing label. */
function labelAt(values: ArrayLike<unknown>, i: number): string | undefined {
  const v = values[i];
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? undefined : String(v);
}

/** A classification target needs a label in every row, two classes or more, and only known ones. */
function targetFailures(table: Table, target: string, knownClasses: string[] | null): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const values = table.column(target).values;
  const counts = new Map<string, number>();
  const missingRows: number[] = [];
  for (let i = 0; i < table.nRows; i++) {
    const label = labelAt(values, i);
    if (label === undefined) missingRows.push(i);
    else counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  if (missingRows.length > 0) {
    const shown = missingRows.slice(0, 5).map(describeRow).join(', ');
    failures.push({
      check: 'target_missing',
      column: target,
      expected: 'a label in every row (drop or label the rows without one)',
      found: `${missingRows.length} missing, at ${shown}${missingRows.length > 5 ? ', …' : ''}`,
    });
  }
  if (counts.size < 2 && table.nRows > 0) {
    failures.push({
      check: 'class_count',
      column: target,
      expected: 'at least 2 classes (is data.target the label column?)',
      found: `${counts.size} (${[...counts.keys()].map((c) => JSON.stringify(c)).join(', ')})`,
    });
  }
  if (knownClasses) {
    const known = new Set(knownClasses);
    const unknown = [...counts.keys()].filter((c) => !known.has(c)).sort();
    if (unknown.length > 0) {
      failures.push({
        check: 'class_names',
        column: target,
        expected: `one of ${knownClasses.length} known classes (check_data.known_classes)`,
        found: `unknown ${unknown.map((u) => JSON.stringify(u)).join(', ')}`,
      });
    }
  }
  return failures;
}

function present(values: Float64Array): Float64Array {
  return values.filter((v) => !Number.isNaN(v));
}

export function runKsChecks(
  table: Table,
  reference: Table,
  columns: string[],
  ksAlpha: number,
  referenceRef: string,
): KsReport {
  const alphaCorrected = 1 - Math.pow(1 - ksAlpha, 1 / columns.length);
  const results = columns.map((column): KsColumnResult => {
    const a = table.column(column);
    const b = reference.column(column);
    if (a.type === 'string' || b.type === 'string') {
      throw new Error(`KS test: column "${column}" is not numeric`);
    }
    const { statistic, pvalue: pValue } = ks2samp(present(a.values), present(b.values));
    return { column, statistic, pValue, passed: pValue >= alphaCorrected };
  });
  return { reference: referenceRef, ksAlpha, alphaCorrected, columns: results };
}

export function ksFailures(report: KsReport): CheckFailure[] {
  return report.columns
    .filter((c) => !c.passed)
    .map((c) => ({
      check: 'ks_drift',
      column: c.column,
      expected: `p ≥ ${report.alphaCorrected.toPrecision(3)} against ${report.reference}`,
      found: `p = ${c.pValue.toPrecision(3)} (D = ${c.statistic.toFixed(4)})`,
    }));
}

export function formatFailures(failures: CheckFailure[]): string {
  return failures
    .map((f) => `  - ${f.check}${f.column ? ` [${f.column}]` : ''}: expected ${f.expected}, found ${f.found}`)
    .join('\n');
}
