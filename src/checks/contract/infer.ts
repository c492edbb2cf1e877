/**
 * Infers a data contract from a table: per column its type, missing share, and (by the feature
 * plan's own rules) the observed range of numerical columns and the classes of the target and of
 * categorical columns. Reads counts and extremes only, so row order never changes the contract.
 */
import { classifyColumn, type Column, type Table } from '../../ml';
import {
  CONTRACT_FORMAT,
  type ContractColumn,
  type ContractRole,
  type ContractType,
  type DataContract,
} from './types';

function isMissing(v: string | number | null): boolean {
  return v === null || v !== v;
}

function typeOf(col: Column, present: number): ContractType {
  if (present === 0) return 'unknown';
  if (col.type === 'string') return 'string';
  return col.type === 'long' ? 'integer' : 'number';
}

function sortedClasses(col: Column): (string | number)[] {
  const seen = new Set<string | number>();
  for (const v of col.values) if (!isMissing(v)) seen.add(v as string | number);
  return [...seen].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : String(a) < String(b)
        ? -1
        : String(a) > String(b)
          ? 1
          : 0,
  );
}

function observedRange(values: Float64Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    // Non-finite cells are the `finite` check's business; they would make the range meaningless.
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

export function inferColumn(table: Table, name: string, target: string): ContractColumn {
  const col = table.column(name);
  let missing = 0;
  for (const v of col.values) if (isMissing(v)) missing++;
  const present = table.nRows - missing;
  const role: ContractRole = name === target ? 'target' : classifyColumn(table, name).kind;
  const out: ContractColumn = {
    name,
    type: typeOf(col, present),
    role,
    missingShare: table.nRows === 0 ? 0 : missing / table.nRows,
  };
  if (role === 'target' || role === 'categorical') out.classes = sortedClasses(col);
  if (role === 'numerical' && col.type !== 'string') {
    const r = observedRange(col.values);
    if (r.min <= r.max) out.range = r;
  }
  return out;
}

/** The contract of `table` (the reference dataset version `dataset`, with digest `datasetDigest`). */
export function inferContract(
  table: Table,
  target: string,
  dataset: { ref: string; digest: string },
): DataContract {
  if (!table.has(target))
    throw new Error(
      `target column "${target}" is not in ${dataset.ref} (columns: ${table.names.join(', ')})`,
    );
  return {
    format: CONTRACT_FORMAT,
    dataset: dataset.ref,
    datasetDigest: dataset.digest,
    rows: table.nRows,
    target,
    columns: table.names.map((name) => inferColumn(table, name, target)),
  };
}
