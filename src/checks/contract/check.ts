/**
 * Checks a table against a data contract and lists every violation, as check_data's other checks
 * do. The tolerances live here, not in the stored contract: the contract records what was observed,
 * this module decides how far new data may go beyond it.
 */
import type { Column, Table } from '../../ml';
import type { CheckFailure } from '../data-checks';
import type { ContractColumn, DataContract, GivenRules } from './types';

export interface ContractTolerances {
  /**
   * A numerical column's observed [min, max] is widened by this share of its span on each side, so
   * new data may reach a little past the reference's extremes; a bound never crosses zero (a
   * non-negative column stays non-negative).
   */
  rangeMargin: number;
  /** A column's missing share may exceed the contract's by this much (absolute, 0…1). */
  missingMargin: number;
  /**
   * Values a categorical feature column never had fail when they are more than this share of its
   * present values; rarer ones are a note (a new rare value is common in a fresh sample). Any
   * class the target never had fails.
   */
  unseenShare: number;
}

export const DEFAULT_CONTRACT_TOLERANCES: ContractTolerances = {
  rangeMargin: 0.1,
  missingMargin: 0.05,
  unseenShare: 0.01,
};

export interface ContractResult {
  violations: CheckFailure[];
  /** Findings that do not fail the check: new columns, rare unseen categorical values. */
  notes: string[];
  /** Rules the contract enforced on this table (presence, type, range, classes, missing share). */
  rules: number;
  /** Contract rules replaced by a check_data key, e.g. `check_data.ranges.tempo`. */
  given: string[];
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
const num = (x: number): string => String(Number(x.toPrecision(6)));
const row = (i: number): string => `row ${i + 1}`;

function isMissing(v: string | number | null): boolean {
  return v === null || v !== v;
}

function listValues(values: (string | number)[], max = 5): string {
  const shown = values.slice(0, max).map((v) => JSON.stringify(v));
  return values.length > max ? `${shown.join(', ')} … (${values.length - max} more)` : shown.join(', ');
}

/** The allowed interval for a contract range: widened by the margin, not across zero. */
export function allowedRange(
  range: { min: number; max: number },
  margin: number,
): { lo: number; hi: number } {
  const m = (range.max - range.min) * margin;
  let lo = range.min - m;
  let hi = range.max + m;
  if (range.min >= 0) lo = Math.max(0, lo);
  if (range.max <= 0) hi = Math.min(0, hi);
  return { lo, hi };
}

function typeViolation(c: ContractColumn, col: Column, dataset: string): CheckFailure | undefined {
  if (c.type === 'unknown' || col.values.every(isMissing)) return undefined;
  const wantString = c.type === 'string';
  if (wantString === (col.type === 'string')) return undefined;
  let found: string = col.type === 'string' ? 'string' : 'number';
  if (col.type === 'string') {
    const i = col.values.findIndex((v) => v !== null && Number.isNaN(Number(v)));
    if (i >= 0) found = `string (${JSON.stringify(col.values[i])} at ${row(i)})`;
  }
  return {
    check: 'contract_type',
    column: c.name,
    expected: `${wantString ? 'string' : 'number'} (data contract of ${dataset}; check_data.required_columns.${c.name} overrides)`,
    found,
  };
}

function rangeViolation(
  c: ContractColumn & { range: { min: number; max: number } },
  values: Float64Array,
  dataset: string,
  margin: number,
): CheckFailure | undefined {
  const { lo, hi } = allowedRange(c.range, margin);
  let bad = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // Non-finite values are the `finite` check's failure already.
    if (Number.isFinite(v) && (v < lo || v > hi)) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad === 0) return undefined;
  return {
    check: 'contract_range',
    column: c.name,
    expected: `[${num(lo)}, ${num(hi)}] (observed [${num(c.range.min)}, ${num(c.range.max)}] in ${dataset}, widened by ${pct(margin)} of the span; check_data.ranges.${c.name} overrides)`,
    found: `${bad} rows outside, first ${num(values[first])} at ${row(first)}`,
  };
}

function unseenValues(
  c: ContractColumn,
  col: Column,
): { values: (string | number)[]; rows: number; present: number } {
  const known = new Set<string | number>(c.classes);
  const unseen = new Map<string | number, number>();
  let present = 0;
  for (const v of col.values) {
    if (isMissing(v)) continue;
    present++;
    if (!known.has(v as string | number))
      unseen.set(v as string | number, (unseen.get(v as string | number) ?? 0) + 1);
  }
  const values = [...unseen.keys()].sort((a, b) =>
    String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0,
  );
  let rows = 0;
  for (const n of unseen.values()) rows += n;
  return { values, rows, present };
}

/** Checks `table` against `contract`; rules that `given` sets by hand are left to the explicit checks. */
export function checkContract(
  table: Table,
  contract: DataContract,
  given: GivenRules,
  tol: ContractTolerances = DEFAULT_CONTRACT_TOLERANCES,
): ContractResult {
  const violations: CheckFailure[] = [];
  const notes: string[] = [];
  const givenRules: string[] = [];
  let rules = 0;
  const inContract = new Set(contract.columns.map((c) => c.name));
  for (const c of contract.columns) {
    const typeGiven = c.name in given.required_columns;
    if (typeGiven) givenRules.push(`check_data.required_columns.${c.name}`);
    // The target's presence is checked on its own (it is required whatever the contract says).
    if (!typeGiven && c.name !== contract.target) {
      rules++;
      if (!table.has(c.name)) {
        violations.push({
          check: 'contract_column',
          column: c.name,
          expected: `a ${c.type === 'unknown' ? '' : `${c.type} `}column (data contract of ${contract.dataset})`,
          found: 'missing',
        });
        continue;
      }
    }
    if (!table.has(c.name)) continue;
    const col = table.column(c.name);
    if (!typeGiven && c.type !== 'unknown') {
      rules++;
      const bad = typeViolation(c, col, contract.dataset);
      if (bad) {
        // A column of the other type cannot be held to its range or classes.
        violations.push(bad);
        continue;
      }
    }
    if (c.range && col.type !== 'string') {
      if (c.name in given.ranges) givenRules.push(`check_data.ranges.${c.name}`);
      else {
        rules++;
        const bad = rangeViolation({ ...c, range: c.range }, col.values, contract.dataset, tol.rangeMargin);
        if (bad) violations.push(bad);
      }
    }
    if (c.classes) {
      const isTarget = c.name === contract.target;
      if (isTarget && given.known_classes) givenRules.push('check_data.known_classes');
      else {
        rules++;
        const u = unseenValues(c, col);
        if (u.values.length > 0) {
          const share = u.present ? u.rows / u.present : 0;
          const what = `unseen ${listValues(u.values)} in ${u.rows} rows (${pct(share)})`;
          if (isTarget || share > tol.unseenShare) {
            violations.push({
              check: 'contract_classes',
              column: c.name,
              expected: isTarget
                ? `one of the ${c.classes.length} classes of ${contract.dataset} (check_data.known_classes overrides)`
                : `one of the ${c.classes.length} values of ${contract.dataset}, unseen ones ≤ ${pct(tol.unseenShare)} of rows`,
              found: what,
            });
          } else notes.push(`${c.name}: ${what}, within the ${pct(tol.unseenShare)} allowed`);
        }
      }
    }
    // Missing labels are the target_missing check's business.
    if (c.name !== contract.target) {
      rules++;
      let missing = 0;
      for (const v of col.values) if (isMissing(v)) missing++;
      const share = table.nRows ? missing / table.nRows : 0;
      const limit = c.missingShare + tol.missingMargin;
      if (share > limit + 1e-12) {
        violations.push({
          check: 'contract_missing',
          column: c.name,
          expected: `≤ ${pct(limit)} missing (${pct(c.missingShare)} in ${contract.dataset} + ${pct(tol.missingMargin)})`,
          found: `${pct(share)} missing (${missing} rows)`,
        });
      }
    }
  }
  for (const name of table.names)
    if (!inContract.has(name))
      notes.push(`${name}: a new column, not in the contract of ${contract.dataset} (not checked)`);
  return { violations, notes, rules, given: givenRules };
}

/** A one-line count, e.g. `14 columns, 41 rules from preprocessed_data:v0 (2 given in the config)`. */
export function summarizeContract(contract: DataContract, result: ContractResult): string {
  const given = result.given.length ? ` (${result.given.length} given in the config)` : '';
  return `${contract.columns.length} columns, ${result.rules} rules from ${contract.dataset}${given}`;
}
