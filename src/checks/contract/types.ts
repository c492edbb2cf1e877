/**
 * The data contract: what check_data learned about the reference dataset (in the spirit of
 * TensorFlow Data Validation's schema). It holds observations only; the tolerances that turn them
 * into rules live in check.ts, so a stored contract stays valid when a tolerance is tuned.
 */

/** The contract file layout; a reader meeting another one refuses it by name. */
export const CONTRACT_FORMAT = 1;

/** `unknown`: every value was missing, so the column has no type of its own and satisfies any. */
export type ContractType = 'number' | 'integer' | 'string' | 'unknown';

/**
 * What the feature plan's rules make of the column (src/ml/plan): only `numerical` columns get a
 * range and only `categorical` ones (and the target) a class list, so the contract guards what the
 * model uses and leaves identifiers and free text to change freely.
 */
export type ContractRole =
  'target' | 'numerical' | 'categorical' | 'nlp' | 'identifier' | 'constant' | 'empty';

export interface ContractColumn {
  name: string;
  type: ContractType;
  role: ContractRole;
  /** Share of rows with no value, 0…1. */
  missingShare: number;
  /** Observed on every present value (numerical columns). */
  range?: { min: number; max: number };
  /** Every distinct present value, sorted (the target and categorical columns). */
  classes?: (string | number)[];
}

export interface DataContract {
  format: typeof CONTRACT_FORMAT;
  /** The dataset version it was inferred from, e.g. `preprocessed_data:v3`, and that version's digest. */
  dataset: string;
  datasetDigest: string;
  rows: number;
  target: string;
  /** In table order. */
  columns: ContractColumn[];
}

/** The rules a check_data config gives by hand; each replaces the contract's rule for its column. */
export interface GivenRules {
  required_columns: Record<string, unknown>;
  known_classes: readonly string[] | null;
  ranges: Record<string, unknown>;
}
