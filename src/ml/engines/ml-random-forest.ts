/**
 * The ml-random-forest package behind the ClassifierEngine contract: a second engine for small data and
 * a cross-check of the native one. It maps the scikit-learn names it can honour and rejects every other
 * value with an error naming the key. Its differences are documented, not hidden:
 * - max_features picks a feature subset per tree (ml-random-forest), not per split (sklearn);
 * - probabilities are the trees' vote fractions (each ml-cart tree predicts a label);
 * - ml-cart's own gainThreshold (0.01) stops splits with tiny gain;
 * - it trains on the calling thread (it is meant for small data), with progress at start and end.
 */
import { RandomForestClassifier } from 'ml-random-forest';
import {
  type ClassifierEngine,
  type FeatureMatrix,
  type FitOptions,
  type FittedClassifier,
  type ModelData,
} from '../classifier';

const ENGINE = 'ml-random-forest' as const;

interface MlrfOptions {
  nEstimators: number;
  maxFeatures: number;
  replacement: boolean;
  useSampleBagging: boolean;
  seed: number;
  noOOB: boolean;
  treeOptions: { gainFunction: 'gini'; maxDepth: number; minNumSamples: number };
}

function unsupported(key: string, value: unknown, why = ''): Error {
  return new Error(
    `random_forest.${key}: ${JSON.stringify(value)} is not supported by the ml-random-forest engine${why ? ` (${why})` : ''}`,
  );
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** Resolves sklearn's max_features to a feature count for `nFeatures` columns. */
export function maxFeaturesCount(value: unknown, nFeatures: number, key = 'max_features'): number {
  if (value === null || value === undefined) return nFeatures;
  if (value === 'sqrt' || value === 'auto') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (value === 'log2') return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (isInt(value) && value >= 1) {
    if (value > nFeatures)
      throw new Error(`random_forest.${key}: ${value} is more than the ${nFeatures} features`);
    return value;
  }
  if (typeof value === 'number' && value > 0 && value <= 1) return Math.max(1, Math.floor(value * nFeatures));
  throw new Error(
    `random_forest.${key}: ${JSON.stringify(value)} must be sqrt, log2, auto, an int ≥ 1, a float in (0, 1] or null`,
  );
}

/** Validates sklearn-named hyperparameters into ml-random-forest options (feature count resolved later). */
export function mlrfOptions(params: Record<string, unknown>, nFeatures: number): MlrfOptions {
  const p = { ...params };
  delete p.engine;
  const take = (k: string): unknown => {
    const v = p[k];
    delete p[k];
    return v;
  };
  const nEstimators = take('n_estimators') ?? 100;
  if (!isInt(nEstimators) || nEstimators < 1)
    throw new Error(`random_forest.n_estimators: ${JSON.stringify(nEstimators)} must be an integer ≥ 1`);
  const criterion = take('criterion') ?? 'gini';
  if (criterion !== 'gini') throw unsupported('criterion', criterion, 'only gini');
  const maxDepth = take('max_depth') ?? null;
  if (maxDepth !== null && !(isInt(maxDepth) && maxDepth >= 1))
    throw new Error(`random_forest.max_depth: ${JSON.stringify(maxDepth)} must be an integer ≥ 1 or null`);
  const minSplit = take('min_samples_split') ?? 2;
  if (!isInt(minSplit) || minSplit < 2) throw unsupported('min_samples_split', minSplit, 'an integer ≥ 2');
  const fixed: [string, unknown[]][] = [
    ['min_samples_leaf', [1]],
    ['min_weight_fraction_leaf', [0]],
    ['max_leaf_nodes', [null]],
    ['min_impurity_decrease', [0]],
    ['min_impurity_split', [null]],
    ['max_samples', [null]],
    ['oob_score', [false]],
    ['class_weight', [null]],
    ['warm_start', [false]],
    ['ccp_alpha', [0]],
  ];
  for (const [k, allowed] of fixed) {
    if (!(k in p)) continue;
    const v = take(k);
    if (!allowed.includes(v as never))
      throw unsupported(k, v, `only ${allowed.map((a) => JSON.stringify(a)).join(' or ')}`);
  }
  const bootstrap = take('bootstrap') ?? true;
  if (typeof bootstrap !== 'boolean')
    throw new Error(`random_forest.bootstrap: ${JSON.stringify(bootstrap)} must be true or false`);
  const seed = take('random_state') ?? null;
  if (seed !== null && !(isInt(seed) && seed >= 0 && seed < 2 ** 31)) {
    throw new Error(
      `random_forest.random_state: ${JSON.stringify(seed)} must be an integer in [0, 2^31) or null`,
    );
  }
  // Accepted, no effect on results: this engine is single-threaded and silent.
  const nJobs = take('n_jobs');
  if (nJobs !== undefined && nJobs !== null && !isInt(nJobs))
    throw new Error(`random_forest.n_jobs: ${JSON.stringify(nJobs)} must be an integer or null`);
  const verbose = take('verbose');
  if (verbose !== undefined && typeof verbose !== 'number' && typeof verbose !== 'boolean')
    throw new Error(`random_forest.verbose: ${JSON.stringify(verbose)} must be a number`);
  const maxFeatures = maxFeaturesCount(take('max_features') ?? 'sqrt', nFeatures);
  const rest = Object.keys(p);
  if (rest.length > 0) throw new Error(`random_forest.${rest[0]}: unknown hyperparameter`);
  return {
    nEstimators,
    maxFeatures,
    // sklearn draws a feature subset without replacement.
    replacement: false,
    useSampleBagging: bootstrap,
    seed: seed ?? Math.floor(Math.random() * 2 ** 31),
    noOOB: true,
    treeOptions: { gainFunction: 'gini', maxDepth: maxDepth ?? Infinity, minNumSamples: minSplit },
  };
}

function rowsOf(X: FeatureMatrix): number[][] {
  const rows = new Array<number[]>(X.nRows);
  for (let i = 0; i < X.nRows; i++) {
    const r = new Array<number>(X.columns.length);
    for (let j = 0; j < X.columns.length; j++) r[j] = X.columns[j][i];
    rows[i] = r;
  }
  return rows;
}

class FittedMlrf implements FittedClassifier {
  readonly engine = ENGINE;
  constructor(
    private readonly model: RandomForestClassifier,
    /** The model's JSON as saved: kept so that a loaded model serialises to the same bytes. */
    private readonly modelJson: unknown,
    readonly nClasses: number,
    readonly nFeatures: number,
    private readonly importances: Float64Array,
  ) {}

  predictProba(X: FeatureMatrix): Float64Array {
    if (X.columns.length !== this.nFeatures)
      throw new Error(`expected ${this.nFeatures} features, got ${X.columns.length}`);
    const k = this.nClasses;
    const out = new Float64Array(X.nRows * k);
    if (X.nRows === 0) return out;
    const votes = this.model.predictionValues(rowsOf(X));
    const nTrees = votes.columns;
    for (let i = 0; i < X.nRows; i++) {
      for (let t = 0; t < nTrees; t++) out[i * k + (votes.get(i, t) as number)] += 1 / nTrees;
    }
    return out;
  }

  featureImportances(): Float64Array {
    return Float64Array.from(this.importances);
  }

  toModelData(): ModelData {
    return {
      header: {
        n_classes: this.nClasses,
        n_features: this.nFeatures,
        feature_importances: Array.from(this.importances),
        model: this.modelJson,
      },
      arrays: {},
    };
  }
}

function normalisedImportances(model: RandomForestClassifier, nFeatures: number): Float64Array {
  const out = new Float64Array(nFeatures);
  try {
    const raw = (model as unknown as { featureImportance(): number[] }).featureImportance();
    for (let j = 0; j < nFeatures; j++) out[j] = Number.isFinite(raw[j]) ? raw[j] : 0;
  } catch {
    // A forest of stumps has no gains: importances stay zero.
  }
  const s = out.reduce((a, b) => a + b, 0);
  if (s > 0) for (let j = 0; j < nFeatures; j++) out[j] /= s;
  return out;
}

export const mlRandomForestEngine: ClassifierEngine = {
  name: ENGINE,

  async fit(
    X: FeatureMatrix,
    y: Int32Array,
    params: Record<string, unknown>,
    options: FitOptions,
  ): Promise<FittedClassifier> {
    const opts = mlrfOptions(params, X.columns.length);
    options.signal?.throwIfAborted();
    options.onProgress?.({ done: 0, total: opts.nEstimators, unit: 'trees' });
    const model = new RandomForestClassifier(opts);
    model.train(rowsOf(X), Array.from(y));
    options.signal?.throwIfAborted();
    options.onProgress?.({ done: opts.nEstimators, total: opts.nEstimators, unit: 'trees' });
    return new FittedMlrf(
      model,
      JSON.parse(JSON.stringify(model.toJSON())),
      options.classes.length,
      X.columns.length,
      normalisedImportances(model, X.columns.length),
    );
  },

  load(data: ModelData): FittedClassifier {
    const h = data.header;
    const nClasses = h.n_classes;
    const nFeatures = h.n_features;
    if (!isInt(nClasses) || !isInt(nFeatures))
      throw new Error('invalid model state: ml-random-forest header');
    const imp = Array.isArray(h.feature_importances)
      ? Float64Array.from(h.feature_importances as number[])
      : new Float64Array(nFeatures);
    const model = RandomForestClassifier.load(h.model as Parameters<typeof RandomForestClassifier.load>[0]);
    return new FittedMlrf(model, h.model, nClasses, nFeatures, imp);
  },
};
