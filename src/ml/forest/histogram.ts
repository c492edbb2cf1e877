/**
 * Class-count histograms over pre-binned features: `hist[b * K + k]` is the total bootstrap count
 * of class k in bin b (its weight is that times the class weight), and `binCount[b]` the number of
 * distinct samples in bin b (for min_samples_leaf). Integer counts keep the hot loop an integer add.
 * Used by the splitter for large nodes, where a pass over the samples plus a scan over the bins is
 * cheaper than sorting the samples by bin.
 */
import { MISSING_BIN } from './binning';

export const HIST_BINS = MISSING_BIN + 1;

/**
 * Accumulates node samples idx[start, end) of the feature column starting at `base` into the
 * zeroed `hist` / `binCount`; ny / nc are the class and bootstrap count of each index position.
 * `nBins` is the feature's number of non-missing bins: bins at or above it are never used.
 */
export type HistogramKernel = (base: number, start: number, end: number, nBins: number) => void;

/**
 * The histogram kernel over fixed arrays. The arrays are captured as constants of the returned
 * closure rather than passed on each call; see `createSplitKernels` (splitter.ts) for why.
 */
export function createHistogramKernel(
  bins: Uint8Array,
  idx: Uint32Array,
  ny: Uint16Array,
  nc: Int32Array,
  K: number,
  hist: Int32Array,
  binCount: Int32Array,
): HistogramKernel {
  // Two interleaved count arrays for the bins: consecutive samples mostly share a bin (zeros of
  // tf-idf, categories), and one counter would make every increment wait for the previous one.
  const c2 = new Int32Array(HIST_BINS);
  return (base, start, end, nBins) => {
    let j = start;
    for (; j + 1 < end; j += 2) {
      const b = bins[base + idx[j]];
      const b2 = bins[base + idx[j + 1]];
      hist[b * K + ny[j]] += nc[j];
      binCount[b]++;
      hist[b2 * K + ny[j + 1]] += nc[j + 1];
      c2[b2]++;
    }
    if (j < end) {
      const b = bins[base + idx[j]];
      hist[b * K + ny[j]] += nc[j];
      binCount[b]++;
    }
    for (let b = 0; b < nBins; b++) {
      binCount[b] += c2[b];
      c2[b] = 0;
    }
    binCount[MISSING_BIN] += c2[MISSING_BIN];
    c2[MISSING_BIN] = 0;
  };
}

/**
 * Histogram subtraction: the larger child's histogram is the parent's minus the smaller child's,
 * which saves a pass over the larger child's samples when the same feature is needed in both.
 */
export function subtractHistogram(
  parent: Int32Array,
  parentCount: Int32Array,
  child: Int32Array,
  childCount: Int32Array,
  out: Int32Array,
  outCount: Int32Array,
): void {
  for (let i = 0; i < parent.length; i++) out[i] = parent[i] - child[i];
  for (let b = 0; b < parentCount.length; b++) outCount[b] = parentCount[b] - childCount[b];
}

/** Naive oracle kept for tests: one object per bin, no buffer reuse. */
export function buildHistogramNaive(
  column: ArrayLike<number>,
  rows: readonly number[],
  y: ArrayLike<number>,
  counts: ArrayLike<number>,
  K: number,
): { hist: number[][]; count: number[] } {
  const hist = Array.from({ length: HIST_BINS }, () => new Array<number>(K).fill(0));
  const count = new Array<number>(HIST_BINS).fill(0);
  for (const r of rows) {
    hist[column[r]][y[r]] += counts[r];
    count[column[r]] += 1;
  }
  return { hist, count };
}
