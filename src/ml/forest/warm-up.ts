/**
 * JIT warm-up for a tree worker. A fresh worker runs its first trees in V8's interpreter and
 * baseline tiers, two to four times slower than once the kernels are optimised (≈ 0.1–0.3 s lost
 * per worker on the reference data). A worker started ahead of the fit (see `prepareForestFit`)
 * spends the time the caller needs for the transformers and binning building small trees on
 * synthetic data, so the real trees start on optimised code. Nothing of it reaches the model: the
 * synthetic trees are thrown away and the real fit builds its own workspace.
 */
import { Random } from '../random';
import { MISSING_BIN, type BinnedData } from './binning';
import { type TreeJob, TreeWorkspace, buildTree, balancedWeights } from './build-tree';
import { GINI } from './splitter';

const ROWS = 3000;
const FEATURES = 12;
const CLASSES = 6;
/** The warm-up seed is fixed so that warming up is itself reproducible (not that it matters). */
const SEED = 0x5eed;

/**
 * A job shaped like a real one: continuous features (histogram kernel at the top, counting-sort
 * sweeps below), few-valued ones (always the histogram), and missing values in some columns, so
 * every kernel and branch gets type feedback. It goes through a structured clone, as a real job
 * does through postMessage, so the optimised code sees the same object shapes.
 */
export function syntheticJob(): TreeJob {
  const rng = new Random(SEED);
  const bins = new Uint8Array(new SharedArrayBuffer(ROWS * FEATURES));
  const nBins = new Uint16Array(FEATURES);
  const thresholds: Float64Array[] = [];
  const y = new Int32Array(ROWS);
  for (let i = 0; i < ROWS; i++) y[i] = rng.nextInt(CLASSES);
  for (let f = 0; f < FEATURES; f++) {
    const levels = f % 3 === 0 ? 8 : 255;
    nBins[f] = levels;
    thresholds.push(Float64Array.from({ length: levels - 1 }, (_, b) => b + 0.5));
    for (let i = 0; i < ROWS; i++) {
      // Correlated with the class so that trees grow deep, like on real data.
      const v = Math.min(levels - 1, (y[i] * levels) / CLASSES + rng.nextInt(Math.max(2, levels >> 1)));
      bins[f * ROWS + i] = f % 4 === 1 && rng.nextInt(20) === 0 ? MISSING_BIN : Math.floor(v);
    }
  }
  const binned: BinnedData = { nRows: ROWS, nFeatures: FEATURES, bins, nBins, thresholds };
  return structuredClone({
    binned,
    y,
    K: CLASSES,
    classWeight: balancedWeights(y, null, CLASSES),
    balancedSubsample: false,
    criterion: GINI,
    bootstrap: true,
    maxSamples: ROWS,
    minWeightFractionLeaf: 0,
    oob: false,
    grow: {
      maxDepth: 12,
      minSamplesSplit: 2,
      minSamplesLeaf: 1,
      maxFeatures: 3,
      maxLeafNodes: 0,
      minImpurityDecrease: 0,
    },
  } satisfies TreeJob);
}

/**
 * Builds synthetic trees one at a time, yielding to the event loop between them, until `stop()`
 * says the real work has arrived or `maxTrees` are built.
 */
export function warmUp(stop: () => boolean, maxTrees: number): Promise<number> {
  const job = syntheticJob();
  const ws = new TreeWorkspace(job.binned.nRows, job.K);
  let built = 0;
  return new Promise((resolve) => {
    const step = (): void => {
      if (stop() || built >= maxTrees) {
        resolve(built);
        return;
      }
      buildTree(job, SEED + built, ws);
      built++;
      setImmediate(step);
    };
    setImmediate(step);
  });
}
