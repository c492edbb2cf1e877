/**
 * Builds one tree of the forest from its seed alone: bootstrap counts, sample weights, growth and
 * compaction. Everything random comes from `new Random(seed)`, in a fixed order (bootstrap first,
 * then feature draws), so the tree is the same in whichever worker, and however many workers, run it.
 */
import { Random, nextIndex } from '../random';
import type { BinnedData } from './binning';
import { type GrowParams, growTree } from './grower';
import { type TreeArrays, toTreeArrays } from './predictor';
import { type SplitData, type SplitKernels, SplitScratch, createSplitKernels } from './splitter';

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
 * Per-thread buffers for one job, reused from tree to tree (otherwise each tree leaves about 40
 * bytes per row for the garbage collector), and the split kernels over them. A tree worker creates
 * one workspace for its job: the kernels are specialised to these very arrays (see
 * `createSplitKernels`).
 */
export class TreeWorkspace {
  readonly counts: Uint32Array;
  /** Class weights of the current tree (the job's, or per tree with balanced_subsample). */
  readonly cw: Float64Array;
  /** The kernels' view of the job: full-length ny / nc, the tree's bounds are passed to growTree. */
  readonly data: SplitData;
  readonly kernels: SplitKernels;
  /**
   * Puts the in-bag rows (weight = count × class weight ≠ 0: rows with zero weight are left out
   * entirely, as sklearn does) at the first positions of the kernels' index array with their class
   * and count, and returns their number and total weight.
   */
  readonly collectInBag: () => { nIn: number; totalW: number };
  constructor(readonly job: TreeJob) {
    const { binned, K } = job;
    const nRows = binned.nRows;
    this.counts = new Uint32Array(nRows);
    this.cw = new Float64Array(K);
    this.data = {
      bins: binned.bins,
      nRows,
      nFeatures: binned.nFeatures,
      nBins: binned.nBins,
      y: job.y,
      ny: new Uint16Array(nRows),
      nc: new Int32Array(nRows),
      cw: this.cw,
      K,
      criterion: job.criterion,
      minSamplesLeaf: job.grow.minSamplesLeaf,
      minWeightLeaf: 0,
    };
    this.kernels = createSplitKernels(this.data, new SplitScratch(nRows, K), new Uint32Array(nRows));
    this.collectInBag = inBagCollector(this.data, this.kernels.idx, this.counts);
  }
}

/** `TreeWorkspace.collectInBag`, a closure over the workspace's arrays like the split kernels. */
function inBagCollector(
  data: SplitData,
  idx: Uint32Array,
  counts: Uint32Array,
): () => { nIn: number; totalW: number } {
  const { y, ny, nc, cw, nRows } = data;
  return () => {
    let nIn = 0;
    let totalW = 0;
    for (let i = 0; i < nRows; i++) {
      const wi = counts[i] * cw[y[i]];
      if (wi !== 0) {
        idx[nIn] = i;
        ny[nIn] = y[i];
        nc[nIn] = counts[i];
        nIn++;
        totalW += wi;
      }
    }
    return { nIn, totalW };
  };
}

export function buildTree(job: TreeJob, seed: number, ws?: TreeWorkspace): TreeArrays {
  const { binned, y } = job;
  const nRows = binned.nRows;
  const space = ws !== undefined && ws.job === job ? ws : new TreeWorkspace(job);
  const { data, kernels } = space;
  const rng = new Random(seed);
  if (job.bootstrap) {
    const counts = bootstrapCounts(rng, nRows, job.maxSamples, space.counts);
    space.cw.set(job.balancedSubsample ? balancedWeights(y, counts, job.K) : job.classWeight);
  } else {
    space.counts.fill(1);
    space.cw.set(job.classWeight);
  }
  const { nIn, totalW } = space.collectInBag();
  data.minWeightLeaf = job.minWeightFractionLeaf * totalW;
  const tree = growTree(data, kernels, nIn, { ...job.grow, minWeightLeaf: data.minWeightLeaf }, rng);
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
