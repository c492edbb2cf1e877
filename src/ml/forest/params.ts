/**
 * Hyperparameters of the native random forest, by scikit-learn's names, validated in one declarative
 * table (the counterpart of sklearn's `_parameter_constraints`). Every key must be in the table; a bad
 * value is an error that names the key and quotes the value. Nothing is silently ignored.
 */
import { availableParallelism } from 'node:os';

export type Criterion = 'gini' | 'entropy';

export interface ForestParams {
  nEstimators: number;
  criterion: Criterion;
  /** Infinity when unlimited. */
  maxDepth: number;
  /** Absolute number of (distinct) samples, already resolved from an int or a fraction. */
  minSamplesSplit: number;
  minSamplesLeaf: number;
  minWeightFractionLeaf: number;
  /** Number of features drawn per node, resolved against the feature count. */
  maxFeatures: number;
  /** 0 when unlimited (depth-first growth); otherwise best-first growth. */
  maxLeafNodes: number;
  minImpurityDecrease: number;
  bootstrap: boolean;
  /** Number of bootstrap draws per tree (resolved); equals nRows without bootstrap. */
  maxSamples: number;
  oobScore: boolean;
  classWeight: 'balanced' | 'balanced_subsample' | Record<string, number> | null;
  randomState: number;
  nJobs: number;
  verbose: number;
}

/**
 * scikit-learn draws a fresh seed when random_state is None. A reproducible pipeline must not, so a
 * null random_state means this fixed seed, and the fitted model records the seed it used.
 */
export const DEFAULT_RANDOM_STATE = 0;

interface Constraint {
  /** Human-readable description of what is accepted, used in the error message. */
  expected: string;
  default: unknown;
  check: (v: unknown) => boolean;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isFraction = (v: unknown, lo: number, hi: number, loOpen: boolean): boolean =>
  isNum(v) && !isInt(v) && (loOpen ? v > lo : v >= lo) && v <= hi;
const isClassWeightMap = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((w) => isNum(w) && w >= 0);

export const PARAMETER_CONSTRAINTS: Readonly<Record<string, Constraint>> = {
  n_estimators: { expected: 'an integer >= 1', default: 100, check: (v) => isInt(v) && v >= 1 },
  criterion: {
    expected: "one of 'gini', 'entropy', 'log_loss'",
    default: 'gini',
    check: (v) => v === 'gini' || v === 'entropy' || v === 'log_loss',
  },
  max_depth: {
    expected: 'an integer >= 1 or null',
    default: null,
    check: (v) => v === null || (isInt(v) && v >= 1),
  },
  min_samples_split: {
    expected: 'an integer >= 2 or a float in (0, 1]',
    default: 2,
    check: (v) => (isInt(v) && v >= 2) || isFraction(v, 0, 1, true),
  },
  min_samples_leaf: {
    expected: 'an integer >= 1 or a float in (0, 1)',
    default: 1,
    check: (v) => (isInt(v) && v >= 1) || (isFraction(v, 0, 1, true) && (v as number) < 1),
  },
  min_weight_fraction_leaf: {
    expected: 'a number in [0, 0.5]',
    default: 0,
    check: (v) => isNum(v) && v >= 0 && v <= 0.5,
  },
  max_features: {
    expected: "'sqrt', 'log2', 'auto' (= 'sqrt'), an integer >= 1, a float in (0, 1], or null",
    default: 'sqrt',
    check: (v) =>
      v === null ||
      v === 'sqrt' ||
      v === 'log2' ||
      v === 'auto' ||
      (isInt(v) && v >= 1) ||
      isFraction(v, 0, 1, true),
  },
  max_leaf_nodes: {
    expected: 'an integer >= 2 or null',
    default: null,
    check: (v) => v === null || (isInt(v) && v >= 2),
  },
  min_impurity_decrease: { expected: 'a number >= 0', default: 0, check: (v) => isNum(v) && v >= 0 },
  bootstrap: { expected: 'a boolean', default: true, check: (v) => typeof v === 'boolean' },
  max_samples: {
    expected: 'an integer >= 1, a float in (0, 1], or null',
    default: null,
    check: (v) => v === null || (isInt(v) && v >= 1) || isFraction(v, 0, 1, true),
  },
  oob_score: { expected: 'a boolean', default: false, check: (v) => typeof v === 'boolean' },
  class_weight: {
    expected: "'balanced', 'balanced_subsample', a map from class label to a weight >= 0, or null",
    default: null,
    check: (v) => v === null || v === 'balanced' || v === 'balanced_subsample' || isClassWeightMap(v),
  },
  random_state: {
    expected: `an integer in [0, 2^32) or null (null means the fixed seed ${DEFAULT_RANDOM_STATE})`,
    default: null,
    check: (v) => v === null || (isInt(v) && v >= 0 && v <= 0xffffffff),
  },
  n_jobs: {
    expected: 'a non-zero integer (-1 = all cores, -2 = all but one, ...) or null (= 1)',
    default: null,
    check: (v) => v === null || (isInt(v) && v !== 0),
  },
  verbose: { expected: 'an integer >= 0', default: 0, check: (v) => isInt(v) && v >= 0 },
  warm_start: {
    expected: 'false (warm starts are not supported)',
    default: false,
    check: (v) => v === false,
  },
  // Present in the reference configuration with their neutral values; anything else would change
  // the model and is not implemented, so it must fail rather than be ignored.
  min_impurity_split: {
    expected: 'null (removed in scikit-learn 1.0)',
    default: null,
    check: (v) => v === null,
  },
  ccp_alpha: {
    expected: '0 (cost-complexity pruning is not supported)',
    default: 0,
    check: (v) => v === 0,
  },
};

export class ForestParameterError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'ForestParameterError';
  }
}

function fail(key: string, value: unknown, expected: string): never {
  throw new ForestParameterError(
    key,
    `random forest hyperparameter "${key}" must be ${expected}; got ${quote(value)}`,
  );
}

function quote(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Checks every key against the table, without the data: an unknown key or a value outside its
 * constraint throws a ForestParameterError naming the key. Returns every value, defaults filled in.
 */
export function checkParams(raw: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(raw)) {
    if (!Object.prototype.hasOwnProperty.call(PARAMETER_CONSTRAINTS, key)) {
      throw new ForestParameterError(
        key,
        `unknown random forest hyperparameter "${key}" (value ${quote(raw[key])}); known: ${Object.keys(PARAMETER_CONSTRAINTS).join(', ')}`,
      );
    }
  }
  const v: Record<string, unknown> = {};
  for (const [key, c] of Object.entries(PARAMETER_CONSTRAINTS)) {
    const value = paramValue(raw, key);
    if (!c.check(value)) fail(key, value, c.expected);
    v[key] = value;
  }
  // The rules between keys that need no data.
  if (v.bootstrap === false) {
    if (v.max_samples !== null) fail('max_samples', v.max_samples, 'null when bootstrap is false');
    if (v.oob_score === true) fail('oob_score', true, 'false when bootstrap is false');
    if (v.class_weight === 'balanced_subsample') {
      // sklearn warns and behaves like 'balanced'; we make the user say what they mean.
      fail('class_weight', v.class_weight, "'balanced' (not 'balanced_subsample') when bootstrap is false");
    }
  }
  return v;
}

/**
 * Checks every key against the table and resolves the values that depend on the data
 * (feature count, row count, class labels).
 */
export function resolveParams(
  raw: Record<string, unknown>,
  data: { nRows: number; nFeatures: number; classes: readonly string[] },
): ForestParams {
  const v = checkParams(raw);
  const { nRows, nFeatures } = data;

  const mss = v.min_samples_split as number;
  const msl = v.min_samples_leaf as number;
  const minSamplesLeaf = isInt(msl) ? msl : Math.max(1, Math.ceil(msl * nRows));
  const minSamplesSplit = Math.max(
    isInt(mss) ? mss : Math.max(2, Math.ceil(mss * nRows)),
    2 * minSamplesLeaf,
  );

  const mf = v.max_features;
  let maxFeatures: number;
  if (mf === null) maxFeatures = nFeatures;
  else if (mf === 'sqrt' || mf === 'auto') maxFeatures = Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  else if (mf === 'log2') maxFeatures = Math.max(1, Math.floor(Math.log2(nFeatures)));
  else if (isInt(mf)) {
    if (mf > nFeatures) fail('max_features', mf, `at most the number of features (${nFeatures})`);
    maxFeatures = mf;
  } else maxFeatures = Math.max(1, Math.floor((mf as number) * nFeatures));

  const bootstrap = v.bootstrap as boolean;
  const ms = v.max_samples;
  let maxSamples = nRows;
  if (isInt(ms)) {
    if (ms > nRows) fail('max_samples', ms, `at most the number of training rows (${nRows})`);
    maxSamples = ms;
  } else if (typeof ms === 'number') maxSamples = Math.max(1, Math.round(ms * nRows));

  const oobScore = v.oob_score as boolean;

  const cw = v.class_weight as ForestParams['classWeight'];
  if (cw !== null && typeof cw === 'object') {
    for (const label of Object.keys(cw)) {
      if (!data.classes.includes(label))
        fail('class_weight', cw, `a map whose keys are class labels; "${label}" is not one`);
    }
  }

  const nJobs = resolveNJobs(v.n_jobs as number | null);

  return {
    nEstimators: v.n_estimators as number,
    criterion: v.criterion === 'gini' ? 'gini' : 'entropy',
    maxDepth: v.max_depth === null ? Infinity : (v.max_depth as number),
    minSamplesSplit,
    minSamplesLeaf,
    minWeightFractionLeaf: v.min_weight_fraction_leaf as number,
    maxFeatures,
    maxLeafNodes: v.max_leaf_nodes === null ? 0 : (v.max_leaf_nodes as number),
    minImpurityDecrease: v.min_impurity_decrease as number,
    bootstrap,
    maxSamples,
    oobScore,
    classWeight: cw,
    randomState: v.random_state === null ? DEFAULT_RANDOM_STATE : (v.random_state as number),
    nJobs,
    verbose: v.verbose as number,
  };
}

/** The value given for a known key, else its default. */
function paramValue(raw: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(raw, key) ? raw[key] : PARAMETER_CONSTRAINTS[key].default;
}

/** sklearn's n_jobs: null is 1, -1 all cores, -2 all but one, and so on. */
export function resolveNJobs(nj: number | null): number {
  return nj === null ? 1 : nj > 0 ? nj : Math.max(1, availableParallelism() + 1 + nj);
}

/**
 * How many tree workers a fit with these hyperparameters will use, known before the data is (so
 * the workers can start early); null when n_jobs or n_estimators is invalid (the fit reports it).
 */
export function plannedWorkers(raw: Record<string, unknown>): number | null {
  const nj = paramValue(raw, 'n_jobs');
  const trees = paramValue(raw, 'n_estimators');
  if (!PARAMETER_CONSTRAINTS.n_jobs.check(nj) || !PARAMETER_CONSTRAINTS.n_estimators.check(trees))
    return null;
  return Math.min(resolveNJobs(nj as number | null), trees as number);
}
