/**
 * The contract between the inference pipeline and a classifier engine (the native forest, or
 * ml-random-forest). Engines see a dense numeric feature matrix and integer labels; string classes,
 * transformers and file formats live above this line.
 */

/** Column-major dense features: `columns[j][i]` is feature j of row i. NaN marks a missing value. */
export interface FeatureMatrix {
  readonly nRows: number;
  readonly columns: readonly Float64Array[];
  readonly names: readonly string[];
}

export type ModelArray = Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

/** Data-only serialised form: a JSON header plus named typed arrays. Loading it runs no code. */
export interface ModelData {
  header: Record<string, unknown>;
  arrays: Record<string, ModelArray>;
}

export interface FitProgress {
  done: number;
  total: number;
  unit: 'trees';
}

export interface FitOptions {
  /** Class labels, index i is label value i in `y`. Used by class_weight maps and in the model file. */
  classes: readonly string[];
  signal?: AbortSignal;
  onProgress?: (p: FitProgress) => void;
}

export interface FittedClassifier {
  readonly engine: EngineName;
  readonly nClasses: number;
  readonly nFeatures: number;
  /** Row-major probabilities, `out[i * nClasses + k]`. */
  predictProba(X: FeatureMatrix): Float64Array;
  /** Normalised impurity-based importances (sum to 1), or NaN-free zeros when the engine has none. */
  featureImportances(): Float64Array;
  readonly oobScore?: number;
  toModelData(): ModelData;
}

export type EngineName = 'native' | 'ml-random-forest';

export interface ClassifierEngine {
  readonly name: EngineName;
  /** Validates scikit-learn-named hyperparameters; throws an error naming the bad key. */
  fit(
    X: FeatureMatrix,
    y: Int32Array,
    params: Record<string, unknown>,
    options: FitOptions,
  ): Promise<FittedClassifier>;
  load(data: ModelData): FittedClassifier;
  /**
   * Optional: begins a fit before its data is ready (e.g. starts worker threads while the caller
   * fits its transformers). The caller must `dispose` the result, fitted or not.
   */
  prepare?(params: Record<string, unknown>): PreparedFit;
}

export interface PreparedFit {
  fit(X: FeatureMatrix, y: Int32Array, options: FitOptions): Promise<FittedClassifier>;
  dispose(): Promise<void>;
}
