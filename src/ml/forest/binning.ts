/**
 * Maps each feature to at most MAX_BINS ordered bins, plus one bin reserved for missing values
 * (as sklearn's hist-gradient-boosting `_BinMapper` does). Thresholds come from the training data:
 * midpoints between distinct values when there are few, otherwise quantiles.
 *
 * Invariant used by the raw-float predictor: for every feature and every bin b < nBins - 1,
 * `bin(x) <= b` exactly when `x <= thresholds[b]`.
 */
import type { FeatureMatrix } from '../classifier';

export const MAX_BINS = 255;
/** Bin index of a missing value (NaN); every non-missing bin is below it. */
export const MISSING_BIN = 255;

export interface BinnedData {
  nRows: number;
  nFeatures: number;
  /** Feature-major: bins[f * nRows + i]. */
  bins: Uint8Array;
  /** Non-missing bins per feature (thresholds.length + 1). */
  nBins: Uint16Array;
  /** Upper edges of bins 0..nBins-2 for each feature. */
  thresholds: Float64Array[];
}

/** Bin upper edges for one column (NaN ignored). */
export function findThresholds(column: Float64Array, maxBins: number = MAX_BINS): Float64Array {
  const few = fewDistinct(column, maxBins);
  if (few !== null) return midpoints(few);
  let n = 0;
  const values = new Float64Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v === v) values[n++] = v;
  }
  // More than maxBins distinct values (fewDistinct said so): quantile edges.
  const sorted = values.subarray(0, n).sort();
  // Quantiles at 1/maxBins .. (maxBins-1)/maxBins with "midpoint" interpolation, as sklearn does;
  // duplicates (heavy values) are collapsed so that every bin can be occupied.
  const out: number[] = [];
  for (let q = 1; q < maxBins; q++) {
    const pos = (q / maxBins) * (n - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    const t = midpoint(sorted[lo], sorted[hi]);
    if (out.length === 0 || t > out[out.length - 1]) out.push(t);
  }
  // The largest value must stay above the last edge, otherwise the top bin would be empty.
  while (out.length > 0 && out[out.length - 1] >= sorted[n - 1]) out.pop();
  return Float64Array.from(out);
}

/**
 * The distinct non-NaN values in order when there are at most maxBins of them, else null. One-hot,
 * ordinal and tf-idf columns take this path without copying and sorting the whole column; a
 * continuous column gives up after its first maxBins + 1 distinct values.
 */
function fewDistinct(column: Float64Array, maxBins: number): number[] | null {
  const seen = new Set<number>();
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v === v && !seen.has(v)) {
      if (seen.size === maxBins) return null;
      seen.add(v === 0 ? 0 : v); // -0 and 0 are one value (as the sorted path treats them)
    }
  }
  return Array.from(seen).sort((a, b) => a - b);
}

/** Bin edges between consecutive distinct values. */
function midpoints(distinct: readonly number[]): Float64Array {
  const t = new Float64Array(Math.max(0, distinct.length - 1));
  for (let i = 0; i < t.length; i++) t[i] = midpoint(distinct[i], distinct[i + 1]);
  return t;
}

function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  // Guard against rounding up to b: values equal to b must land in the upper bin.
  return m < b ? m : a;
}

/** Smallest b with x <= thresholds[b], or thresholds.length; NaN → MISSING_BIN. */
export function binValue(x: number, thresholds: Float64Array): number {
  return x !== x ? MISSING_BIN : countEdgesBelow(thresholds, 0, thresholds.length, x);
}

/**
 * The number of edges in edges[e0, e1) below x, i.e. the smallest index with x <= edge (x not
 * NaN). The search halves a fixed length, so its only branch is the loop count (the same for every
 * value of a feature); the comparison feeds arithmetic, not a jump that would be mispredicted at
 * every other level (this halves the binning time of a continuous column).
 */
export function countEdgesBelow(edges: Float64Array, e0: number, e1: number, x: number): number {
  let len = e1 - e0;
  if (len === 0) return 0;
  let base = e0;
  while (len > 1) {
    const half = len >>> 1;
    base += half & -(edges[base + half - 1] < x);
    len -= half;
  }
  return base - e0 + +(edges[base] < x);
}

export function binColumn(column: Float64Array, thresholds: Float64Array, out: Uint8Array): void {
  for (let i = 0; i < column.length; i++) out[i] = binValue(column[i], thresholds);
}

export function fitBins(X: FeatureMatrix, sharedMemory = true): BinnedData {
  const nRows = X.nRows;
  const nFeatures = X.columns.length;
  const buffer = sharedMemory ? new SharedArrayBuffer(nRows * nFeatures) : new ArrayBuffer(nRows * nFeatures);
  const bins = new Uint8Array(buffer);
  const nBins = new Uint16Array(nFeatures);
  const thresholds: Float64Array[] = [];
  for (let f = 0; f < nFeatures; f++) {
    const t = findThresholds(X.columns[f]);
    thresholds.push(t);
    nBins[f] = t.length + 1;
    binColumn(X.columns[f], t, bins.subarray(f * nRows, (f + 1) * nRows));
  }
  return { nRows, nFeatures, bins, nBins, thresholds };
}
