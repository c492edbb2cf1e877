/**
 * What the scoring server and the batch predictor need from a model: its input signature, its classes and
 * row-major class probabilities for a table of already-checked input columns. The adapter over the ML
 * library's exported pipeline lives in load-model.ts; the HTTP layer depends only on this.
 */
import { type ColumnType, type Table } from '../ml/table';

export interface InputColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** MLflow's `required` (default true): an optional column may be absent and is then all-missing. */
  readonly required: boolean;
}

export interface ScoringModel {
  readonly inputs: readonly InputColumn[];
  readonly classes: readonly string[];
  /** Row-major probabilities: `out[i * classes.length + k]` is P(classes[k] | row i). */
  predictProba(table: Table): Float64Array;
}

/** A model together with where it came from, as reported by /version and the swap log. */
export interface ServedModel {
  readonly model: ScoringModel;
  /** The ref as asked (`model_export:prod`, `s3://…`, a directory). */
  readonly requested: string;
  /** The resolved store version (`model_export:v3`) when the model came from a store. */
  readonly resolvedRef?: string;
  readonly version?: number;
  /** The store version's digest (over all files of the export). */
  readonly digest?: string;
  /** The model file's own digest (MLmodel's model_digest), whatever the source. */
  readonly modelDigest?: string;
  readonly loadedAt: string;
}
