/**
 * Fits a random forest: validate, bin, draw one seed per tree up front (so nothing depends on
 * scheduling), build the trees on a worker pool, assemble them in tree order, then score OOB by
 * replaying each tree's bootstrap from its seed.
 */
import type { FeatureMatrix, FitOptions } from '../classifier';
import { Random, deriveSeeds } from '../random';
import { fitBins } from './binning';
import { type TreeJob, balancedWeights, bootstrapCounts } from './build-tree';
import { NativeForest } from './model';
import { type ForestParams, plannedWorkers, resolveParams } from './params';
import { WorkerPool, workerEntry } from './pool';
import { OobAccumulator, oobLeaves } from './oob';
import { type TreeArrays, concatTrees } from './predictor';
import { ENTROPY, GINI } from './splitter';
import { FORMAT, FORMAT_VERSION, type ForestHeader } from './serialize';
import type { TreeResult, TreeTask } from './tree-worker';

/** Keys that only affect how the fit runs, never the model; left out of the model header. */
const EXECUTION_ONLY = new Set(['n_jobs', 'verbose']);

export async function fitForest(
  X: FeatureMatrix,
  y: Int32Array,
  rawParams: Record<string, unknown>,
  options: FitOptions,
): Promise<NativeForest> {
  const prepared = prepareForestFit(rawParams);
  try {
    return await prepared.fit(X, y, options);
  } finally {
    await prepared.dispose();
  }
}

/** A fit whose workers are already starting; `dispose` must be called once it is no longer needed. */
export interface PreparedForestFit {
  fit(X: FeatureMatrix, y: Int32Array, options: FitOptions): Promise<NativeForest>;
  dispose(): Promise<void>;
}

/**
 * Starts the tree workers for a fit with these hyperparameters before its data exists, so that
 * booting them overlaps whatever the caller does first (the pipeline fits its transformers).
 * Invalid hyperparameters start nothing here and are reported by `fit`.
 *
 * The workers do not warm up their kernels on synthetic trees meanwhile (they once did): a worker's
 * split kernels are specialised to the arrays of the first job they are built for
 * (`createSplitKernels`), so a warm-up job would leave the real one with generic, slower code.
 */
export function prepareForestFit(rawParams: Record<string, unknown>): PreparedForestFit {
  const workers = plannedWorkers(rawParams);
  const pool =
    workers === null ? null : WorkerPool.start(workerEntry(__dirname, __filename, 'tree-worker'), workers);
  let used = false;
  return {
    async fit(X, y, options) {
      if (used) throw new Error('a prepared forest fit runs once');
      used = true;
      validateInput(X, y, options.classes);
      const p = resolveParams(rawParams, {
        nRows: X.nRows,
        nFeatures: X.columns.length,
        classes: options.classes,
      });
      options.signal?.throwIfAborted();
      if (pool === null || pool.size !== Math.min(p.nJobs, p.nEstimators)) {
        throw new Error('internal: the prepared worker pool does not match the resolved n_jobs');
      }
      return fitOnPool(pool, X, y, rawParams, p, options);
    },
    async dispose() {
      await pool?.close();
    },
  };
}

async function fitOnPool(
  pool: WorkerPool,
  X: FeatureMatrix,
  y: Int32Array,
  rawParams: Record<string, unknown>,
  p: ForestParams,
  options: FitOptions,
): Promise<NativeForest> {
  const plan = planResolvedForest(X, y, rawParams, p, options.classes);
  const oobAcc = p.oobScore ? new OobAccumulator(X.nRows, plan.job.K) : null;
  let finished = 0;
  const trees = await buildTreesOnPool(pool, plan, allTrees(plan), {
    signal: options.signal,
    onTree: (t, tree, leaves) => {
      finished++;
      if (oobAcc && leaves) oobAcc.add(t, tree, leaves);
      if (p.verbose > 0) process.stderr.write(`native forest: built tree ${finished} of ${p.nEstimators}\n`);
      options.onProgress?.({ done: finished, total: p.nEstimators, unit: 'trees' });
    },
  });
  // The workers are done: let them exit while the model is assembled (dispose awaits the same exit).
  void pool.close().catch(() => undefined);
  return assembleForest(plan, trees, oobAcc);
}

/**
 * Everything that decides a forest before any tree is built: the binned matrix, the labels, the
 * resolved tree settings, one seed per tree and the model header. A tree is a function of the plan
 * and its index alone, so any thread or process holding the plan builds the same tree (sharding).
 */
export interface ForestPlan {
  job: TreeJob;
  seeds: Uint32Array;
  /** The model header, less the OOB score (known once every tree is in). */
  header: Omit<ForestHeader, 'oob_score'>;
}

/** Validates the input and hyperparameters and makes the plan (bins the features). */
export function planForest(
  X: FeatureMatrix,
  y: Int32Array,
  rawParams: Record<string, unknown>,
  classes: readonly string[],
): ForestPlan {
  validateInput(X, y, classes);
  const p = resolveParams(rawParams, { nRows: X.nRows, nFeatures: X.columns.length, classes });
  return planResolvedForest(X, y, rawParams, p, classes);
}

function planResolvedForest(
  X: FeatureMatrix,
  y: Int32Array,
  rawParams: Record<string, unknown>,
  p: ForestParams,
  classes: readonly string[],
): ForestPlan {
  const K = classes.length;
  const binned = fitBins(X);
  const job: TreeJob = {
    binned,
    y,
    K,
    classWeight: classWeights(p, y, classes),
    balancedSubsample: p.classWeight === 'balanced_subsample',
    criterion: p.criterion === 'gini' ? GINI : ENTROPY,
    bootstrap: p.bootstrap,
    maxSamples: p.maxSamples,
    minWeightFractionLeaf: p.minWeightFractionLeaf,
    oob: p.oobScore,
    grow: {
      maxDepth: p.maxDepth,
      minSamplesSplit: p.minSamplesSplit,
      minSamplesLeaf: p.minSamplesLeaf,
      maxFeatures: p.maxFeatures,
      maxLeafNodes: p.maxLeafNodes,
      minImpurityDecrease: p.minImpurityDecrease,
    },
  };
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rawParams)) if (!EXECUTION_ONLY.has(k)) params[k] = v;
  return {
    job,
    seeds: deriveSeeds(p.randomState, p.nEstimators),
    header: {
      format: FORMAT,
      format_version: FORMAT_VERSION,
      n_trees: p.nEstimators,
      n_classes: K,
      n_features: X.columns.length,
      classes: [...classes],
      feature_names: [...X.names],
      params,
      random_state: p.randomState,
    },
  };
}

/** Indices 0 .. n_trees - 1. */
export function allTrees(plan: ForestPlan): number[] {
  return Array.from({ length: plan.seeds.length }, (_, t) => t);
}

export interface BuildTreesOptions {
  signal?: AbortSignal;
  /** Called on the calling thread as each tree arrives (completion order), with its OOB leaves when planned. */
  onTree?: (index: number, tree: TreeArrays, oobLeaves: Int32Array | null) => void;
}

/** Builds the plan's trees `indices` on worker threads; resolves with them in the order of `indices`. */
export async function buildTrees(
  plan: ForestPlan,
  indices: readonly number[],
  nJobs: number,
  options: BuildTreesOptions = {},
): Promise<TreeArrays[]> {
  if (indices.length === 0) return [];
  const pool = WorkerPool.start(
    workerEntry(__dirname, __filename, 'tree-worker'),
    Math.max(1, Math.min(nJobs, indices.length)),
  );
  try {
    return await buildTreesOnPool(pool, plan, indices, options);
  } finally {
    await pool.close();
  }
}

async function buildTreesOnPool(
  pool: WorkerPool,
  plan: ForestPlan,
  indices: readonly number[],
  options: BuildTreesOptions,
): Promise<TreeArrays[]> {
  for (const t of indices) {
    if (!(Number.isInteger(t) && t >= 0 && t < plan.seeds.length))
      throw new Error(`tree index ${t} is outside the plan's ${plan.seeds.length} trees`);
  }
  const tasks: TreeTask[] = indices.map((t) => ({ seed: plan.seeds[t] }));
  const results = await pool.run<TreeTask, TreeResult>(plan.job, tasks, {
    signal: options.signal,
    onResult: (i, r) => options.onTree?.(indices[i], r.tree, r.oobLeaves),
  });
  return results.map((r) => r.tree);
}

/**
 * Joins the plan's trees (all of them, in tree order) into the model: concatenation, importances
 * and, when planned, the OOB score. Without an accumulator fed in tree order, each tree's OOB
 * leaves are replayed here from its seed (its bootstrap is the first use of its generator), so
 * trees built in other processes give the same sums, in the same order, as a fit in one process.
 */
export function assembleForest(
  plan: ForestPlan,
  trees: readonly TreeArrays[],
  oob: OobAccumulator | null = null,
): NativeForest {
  const { job, header } = plan;
  if (trees.length !== plan.seeds.length)
    throw new Error(`a forest of ${plan.seeds.length} trees cannot be assembled from ${trees.length}`);
  let oobScore: number | null = null;
  if (job.oob) {
    const acc = oob ?? replayOob(plan, trees);
    oobScore = acc.score(job.y);
  }
  return new NativeForest({
    header: { ...header, oob_score: oobScore },
    forest: concatTrees(trees, job.K, header.n_features, job.binned.thresholds),
    importances: forestImportances(trees, header.n_features),
  });
}

function replayOob(plan: ForestPlan, trees: readonly TreeArrays[]): OobAccumulator {
  const { job } = plan;
  const nRows = job.binned.nRows;
  const acc = new OobAccumulator(nRows, job.K);
  const counts = new Uint32Array(nRows);
  trees.forEach((tree, t) => {
    bootstrapCounts(new Random(plan.seeds[t]), nRows, job.maxSamples, counts);
    acc.add(t, tree, oobLeaves(tree, job.binned, counts));
  });
  return acc;
}

function validateInput(X: FeatureMatrix, y: Int32Array, classes: readonly string[]): void {
  if (X.nRows < 1) throw new Error('cannot fit a random forest on 0 rows');
  if (X.columns.length < 1) throw new Error('cannot fit a random forest on 0 features');
  if (X.names.length !== X.columns.length) {
    throw new Error(`feature matrix has ${X.columns.length} columns but ${X.names.length} names`);
  }
  X.columns.forEach((c, j) => {
    if (c.length !== X.nRows)
      throw new Error(`feature "${X.names[j]}" has ${c.length} values, expected ${X.nRows}`);
  });
  if (y.length !== X.nRows) throw new Error(`labels have ${y.length} entries, expected ${X.nRows}`);
  if (classes.length < 1 || classes.length > 65535)
    throw new Error(`need 1..65535 classes, got ${classes.length}`);
  for (let i = 0; i < y.length; i++) {
    if (!(y[i] >= 0 && y[i] < classes.length)) {
      throw new Error(`label of row ${i} is ${y[i]}, outside the ${classes.length} classes`);
    }
  }
}

function classWeights(p: ForestParams, y: Int32Array, classes: readonly string[]): Float64Array {
  const K = classes.length;
  const cw = p.classWeight;
  if (cw === 'balanced') return balancedWeights(y, null, K);
  const out = new Float64Array(K).fill(1);
  if (cw !== null && typeof cw === 'object') {
    // Labels missing from the map keep weight 1, as in sklearn.
    classes.forEach((label, k) => {
      if (Object.prototype.hasOwnProperty.call(cw, label)) out[k] = cw[label];
    });
  }
  return out; // 'balanced_subsample' multiplies per tree; null means all ones.
}

/** sklearn: mean of the per-tree normalised importances over trees with a split, renormalised. */
function forestImportances(trees: readonly TreeArrays[], nFeatures: number): Float64Array {
  const out = new Float64Array(nFeatures);
  let used = 0;
  for (const t of trees) {
    if (t.feature.length <= 1) continue;
    used++;
    for (let f = 0; f < nFeatures; f++) out[f] += t.importance[f];
  }
  if (used === 0) return out;
  let sum = 0;
  for (let f = 0; f < nFeatures; f++) sum += out[f] / used;
  for (let f = 0; f < nFeatures; f++) out[f] = sum > 0 ? out[f] / used / sum : 0;
  return out;
}
