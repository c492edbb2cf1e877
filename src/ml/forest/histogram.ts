/**
 * Class-count histograms over pre-binned features: `hist[b * K + k]` is the total bootstrap count
 * of class k in bin b (its weight is that times the class weight), and `binCount[b]` the number of
 * distinct samples in bin b (for min_samples_leaf). Integer counts keep the hot loop an integer add. Used by the splitter for large nodes, where a pass over the samples plus a
 * scan over the bins is cheaper than sorting the samples by bin.
 */
import { MISSING_BIN } from './binning';

export const HIST_BINS = MISSING_BIN + 1;

/**
 * Fast kernel: accumulates node samples idx[start, end) of one feature column into zeroed buffers;
 * ny / nc are the class and bootstrap count of each index position.
 */
export function buildHistogram(
  bins: Uint8Array,
  base: number,
  idx: Uint32Array,
  start: number,
  end: number,
  ny: Uint16Array,
  nc: Int32Array,
  K: number,
  hist: Int32Array,
  binCount: Int32Array,
): void {
  for (let j = start; j < end; j++) {
    const b = bins[base + idx[j]];
    hist[b * K + ny[j]] += nc[j];
    binCount[b]++;
  }
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
