/**
 * Builds one tree of the forest from its seed alone: bootstrap counts, sample weights, growth and
 * compaction. Everything random comes from `new Random(seed)`, in a fixed order (bootstrap first,
 * then feature draws), so the tree is the same in whichever worker, and however many workers, run it.
 */
import { Random, nextIndex } from '../random';
import type { BinnedData } from './binning';
import { type GrowParams, growTree } from './grower';
import { type TreeArrays, toTreeArrays } from './predictor';
import { type SplitData, SplitScratch } from './splitter';

export interface TreeJob {
  binned: BinnedData;
  y: Int32Array;
  K: number;
  /** Per-class weights from class_weight ('balanced', a map, or all ones). */
  classWeight: Float64Array;
  balancedSubsample: boolean;
  criterion: number;
  bootstrap: boolean;
  maxSamples: number;
  minWeightFractionLeaf: number;
  /** Also report each tree's out-of-bag leaves (oob_score). */
  oob: boolean;
  grow: Omit<GrowParams, 'minWeightLeaf'>;
}

/**
 * Bootstrap draw counts per row; the first use of the tree's generator (also replayed for OOB).
 * Writes into `out` when given (a reused buffer).
 */
export function bootstrapCounts(rng: Random, nRows: number, nDraws: number, out?: Uint32Array): Uint32Array {
  const counts = out ?? new Uint32Array(nRows);
  counts.fill(0);
  for (let s = 0; s < nDraws; s++) counts[nextIndex(rng, nRows)]++;
  return counts;
}

/**
 * Per-thread buffers reused from tree to tree, so building a tree allocates little besides its
 * result (otherwise each tree leaves about 40 bytes per row for the garbage collector).
 */
export class TreeWorkspace {
  readonly scratch: SplitScratch;
  readonly w: Float64Array;
  readonly counts: Uint32Array;
  readonly idx: Uint32Array;
  readonly ny: Uint16Array;
  readonly nc: Int32Array;
  constructor(
    readonly nRows: number,
    readonly K: number,
  ) {
    this.scratch = new SplitScratch(nRows, K);
    this.w = new Float64Array(nRows);
    this.counts = new Uint32Array(nRows);
    this.idx = new Uint32Array(nRows);
    this.ny = new Uint16Array(nRows);
    this.nc = new Int32Array(nRows);
  }
}

export function buildTree(job: TreeJob, seed: number, ws?: TreeWorkspace): TreeArrays {
  const { binned, y, K } = job;
  const nRows = binned.nRows;
  const space = ws !== undefined && ws.nRows === nRows && ws.K === K ? ws : new TreeWorkspace(nRows, K);
  const rng = new Random(seed);
  const w = space.w;
  let classWeight = job.classWeight;
  let counts: Uint32Array;
  if (job.bootstrap) {
    counts = bootstrapCounts(rng, nRows, job.maxSamples, space.counts);
    if (job.balancedSubsample) classWeight = balancedWeights(y, counts, K);
  } else {
    counts = space.counts.fill(1);
  }
  for (let i = 0; i < nRows; i++) w[i] = counts[i] * classWeight[y[i]];
  // Rows with zero weight are left out of the tree entirely, as sklearn does.
  let nIn = 0;
  for (let i = 0; i < nRows; i++) if (w[i] !== 0) nIn++;
  const idx = space.idx.subarray(0, nIn);
  const ny = space.ny.subarray(0, nIn);
  const nc = space.nc.subarray(0, nIn);
  let totalW = 0;
  for (let i = 0, j = 0; i < nRows; i++) {
    if (w[i] !== 0) {
      idx[j] = i;
      ny[j] = y[i];
      nc[j] = counts[i];
      j++;
      totalW += w[i];
    }
  }
  const data: SplitData = {
    bins: binned.bins,
    nRows,
    nFeatures: binned.nFeatures,
    nBins: binned.nBins,
    y,
    w,
    ny,
    nc,
    cw: classWeight,
    K,
    criterion: job.criterion,
    minSamplesLeaf: job.grow.minSamplesLeaf,
    minWeightLeaf: job.minWeightFractionLeaf * totalW,
  };
  const tree = growTree(data, idx, { ...job.grow, minWeightLeaf: data.minWeightLeaf }, rng, space.scratch);
  return toTreeArrays(tree, binned);
}

/**
 * sklearn's 'balanced' weights n / (n_present_classes · count_k), with counts taken with
 * multiplicity (`counts` = bootstrap draws per row, or null for each row once).
 */
export function balancedWeights(y: Int32Array, counts: Uint32Array | null, K: number): Float64Array {
  const perClass = new Float64Array(K);
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const c = counts === null ? 1 : counts[i];
    perClass[y[i]] += c;
    n += c;
  }
  let present = 0;
  for (let k = 0; k < K; k++) if (perClass[k] > 0) present++;
  const out = new Float64Array(K);
  for (let k = 0; k < K; k++) out[k] = perClass[k] > 0 ? n / (present * perClass[k]) : 0;
  return out;
}
