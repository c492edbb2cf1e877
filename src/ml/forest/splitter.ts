/**
 * Best-split search on pre-binned features for one node, and the in-place partition of the node's
 * sample indices. A split sends non-missing samples with bin <= `bin` left, and missing samples to
 * the side given by `missingLeft` (chosen per split, whichever is better, as sklearn >= 1.4 does).
 *
 * Two kernels evaluate a feature, chosen by node size:
 *  - large nodes: a weighted class histogram (histogram.ts), then a scan over the occupied bins;
 *  - small nodes: the samples sorted by bin (counting or insertion sort), then one sweep over them.
 * Both keep the Gini sums incremental: moving weight w of class c to the left updates
 * Σl², Σt·l and Σl·m in O(1), which also gives both missing-value directions in O(1) per threshold.
 */
import { MISSING_BIN } from './binning';
import { HIST_BINS, createHistogramKernel } from './histogram';

export const GINI = 0;
export const ENTROPY = 1;

/**
 * The histogram kernel costs about n + bins·K (one pass, then a scan of every bin and class); the
 * sweep about 3n (gather, counting sort, sweep). A feature uses the histogram when
 * n · HISTOGRAM_COST_RATIO >= bins · K: always for few-valued features (tf-idf, categories), only
 * for large nodes on continuous ones.
 */
export const HISTOGRAM_COST_RATIO = 2;

export interface SplitData {
  /** Feature-major bins: bins[f * nRows + i]. */
  bins: Uint8Array;
  nRows: number;
  nFeatures: number;
  /** Non-missing bins per feature. */
  nBins: Uint16Array;
  y: Int32Array;
  /**
   * Class and count of the sample at each position of the index array, moved along with it by
   * `partition`, so the kernels read them sequentially instead of gathering by row id.
   */
  ny: Uint16Array;
  /** Bootstrap count of the sample at each position (1 without bootstrap). */
  nc: Int32Array;
  /**
   * Per-class weight for this tree: a sample's weight is always nc × cw[class], so the kernels count
   * integers and apply the class weight once per class and bin.
   */
  cw: Float64Array;
  K: number;
  criterion: number;
  minSamplesLeaf: number;
  minWeightLeaf: number;
}

/** Best split found so far for a node; mutated in place to avoid allocation. */
export interface SplitCandidate {
  found: boolean;
  /** Higher is better: Σl²/W_L + Σr²/W_R for Gini, −(W_L·H_L + W_R·H_R) for entropy. */
  proxy: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
}

export function newCandidate(): SplitCandidate {
  return { found: false, proxy: -Infinity, feature: -1, bin: 0, missingLeft: false };
}

/** Scratch buffers reused across nodes and features of one tree. */
export class SplitScratch {
  readonly hist: Int32Array;
  readonly binCount: Int32Array;
  readonly sortedC: Uint16Array;
  readonly sortedW: Float64Array;
  readonly sortedBin: Uint8Array;
  readonly binKey: Uint8Array;
  readonly tmpIdx: Uint32Array;
  readonly tmpCount: Int32Array;
  /** Class weights of the two sides, filled by `partition`. */
  readonly partLeft: Float64Array;
  readonly partRight: Float64Array;
  /** Bootstrap counts per class of the two sides (left K, then right K), for `partition`. */
  readonly partCount: Int32Array;
  /** Per bin, 1 when the current split sends it right (filled by `partition`). */
  readonly goesRight: Uint8Array;
  readonly left: Float64Array;
  readonly total: Float64Array;
  readonly missing: Float64Array;
  constructor(nRows: number, K: number) {
    this.hist = new Int32Array(HIST_BINS * K);
    this.binCount = new Int32Array(HIST_BINS + 1);
    this.sortedC = new Uint16Array(nRows);
    this.sortedW = new Float64Array(nRows);
    this.sortedBin = new Uint8Array(nRows);
    this.tmpIdx = new Uint32Array(nRows);
    this.tmpCount = new Int32Array(nRows);
    this.partLeft = new Float64Array(K);
    this.partRight = new Float64Array(K);
    this.partCount = new Int32Array(2 * K);
    this.goesRight = new Uint8Array(HIST_BINS);
    this.binKey = new Uint8Array(nRows);
    this.left = new Float64Array(K);
    this.total = new Float64Array(K);
    this.missing = new Float64Array(K);
  }
}

export const FEATURE_CONSTANT = 0;
export const FEATURE_EVALUATED = 1;

/** Per-feature constants of the candidate evaluation. */
interface Totals {
  nT: number;
  WT: number;
  sqT: number;
  nM: number;
  WM: number;
  sqM: number;
  tm: number;
}
const totals: Totals = { nT: 0, WT: 0, sqT: 0, nM: 0, WM: 0, sqM: 0, tm: 0 };

function computeTotals(K: number, T: Float64Array, M: Float64Array, nT: number, nM: number): void {
  let WT = 0,
    sqT = 0,
    WM = 0,
    sqM = 0,
    tm = 0;
  for (let k = 0; k < K; k++) {
    const t = T[k];
    const m = M[k];
    WT += t;
    sqT += t * t;
    WM += m;
    sqM += m * m;
    tm += t * m;
  }
  totals.nT = nT;
  totals.WT = WT;
  totals.sqT = sqT;
  totals.nM = nM;
  totals.WM = WM;
  totals.sqM = sqM;
  totals.tm = tm;
}

/**
 * Considers the threshold "non-missing bin <= b goes left" with the current left sums,
 * in both missing-value directions.
 */
function consider(
  d: SplitData,
  s: SplitScratch,
  f: number,
  b: number,
  nL: number,
  WL: number,
  sqL: number,
  tl: number,
  lm: number,
  best: SplitCandidate,
): void {
  const msl = d.minSamplesLeaf;
  const mwl = d.minWeightLeaf;
  const { nT, WT, sqT, nM, WM, sqM, tm } = totals;
  const nR = nT - nL;
  const WR = WT - WL;
  if (d.criterion === GINI) {
    const sqR = sqT - 2 * tl + sqL;
    if (nM === 0) {
      if (nL >= msl && nR >= msl && WL >= mwl && WR >= mwl && WL > 0 && WR > 0) {
        const p = sqL / WL + sqR / WR;
        // Unseen missing values later follow the side that had more samples.
        if (p > best.proxy) set(best, p, f, b, nL >= nR);
      }
      return;
    }
    const nL2 = nL + nM;
    const WL2 = WL + WM;
    if (nL2 >= msl && nR >= msl && WL2 >= mwl && WR >= mwl && WL2 > 0 && WR > 0) {
      const p = (sqL + 2 * lm + sqM) / WL2 + sqR / WR;
      if (p > best.proxy) set(best, p, f, b, true);
    }
    const nR2 = nR + nM;
    const WR2 = WR + WM;
    if (nL >= msl && nR2 >= msl && WL >= mwl && WR2 >= mwl && WL > 0 && WR2 > 0) {
      const p = sqL / WL + (sqR + 2 * (tm - lm) + sqM) / WR2;
      if (p > best.proxy) set(best, p, f, b, false);
    }
    return;
  }
  // Entropy: O(K) per threshold from the left class vector.
  const K = d.K;
  const L = s.left;
  const T = s.total;
  const M = s.missing;
  if (nM === 0) {
    if (nL >= msl && nR >= msl && WL >= mwl && WR >= mwl && WL > 0 && WR > 0) {
      let p = 0;
      for (let k = 0; k < K; k++) p += xlogx(L[k]) + xlogx(T[k] - L[k]);
      p -= xlogx(WL) + xlogx(WR);
      if (p > best.proxy) set(best, p, f, b, nL >= nR);
    }
    return;
  }
  const nL2 = nL + nM;
  const WL2 = WL + WM;
  if (nL2 >= msl && nR >= msl && WL2 >= mwl && WR >= mwl && WL2 > 0 && WR > 0) {
    let p = 0;
    for (let k = 0; k < K; k++) p += xlogx(L[k] + M[k]) + xlogx(T[k] - L[k]);
    p -= xlogx(WL2) + xlogx(WR);
    if (p > best.proxy) set(best, p, f, b, true);
  }
  const nR2 = nR + nM;
  const WR2 = WR + WM;
  if (nL >= msl && nR2 >= msl && WL >= mwl && WR2 >= mwl && WL > 0 && WR2 > 0) {
    let p = 0;
    for (let k = 0; k < K; k++) p += xlogx(L[k]) + xlogx(T[k] - L[k] + M[k]);
    p -= xlogx(WL) + xlogx(WR2);
    if (p > best.proxy) set(best, p, f, b, false);
  }
}

function xlogx(x: number): number {
  return x > 0 ? x * Math.log2(x) : 0;
}

function set(best: SplitCandidate, p: number, f: number, b: number, missingLeft: boolean): void {
  best.found = true;
  best.proxy = p;
  best.feature = f;
  best.bin = b;
  best.missingLeft = missingLeft;
}

/** Below this many samples, insertion sort beats the 256-bucket counting sort. */
const INSERTION_SORT_MAX = 32;

/** The split kernels of one tree workspace (see `createSplitKernels`). */
export interface SplitKernels {
  /**
   * Evaluates every threshold of feature f on node samples idx[start, end) and updates `best`.
   * `nodeTotals[nodeOffset + k]` is the node's weight of class k: the non-missing totals are
   * derived from it, so the kernels only accumulate the (rare) missing samples per class.
   * Returns FEATURE_CONSTANT when all samples share one bin (such a feature does not count towards
   * max_features, as in sklearn).
   */
  evaluateFeature(
    start: number,
    end: number,
    f: number,
    best: SplitCandidate,
    nodeTotals: Float64Array,
    nodeOffset: number,
  ): number;
  /**
   * Reorders idx[start, end) (and ny, nc with it) so that the samples going left come first;
   * returns the boundary. The partition is stable: indices stay ascending within every node (the
   * root's are), so the kernels' gathers from the bin columns walk memory forwards, which the cache
   * prefetcher follows — it matters once a column no longer fits in L1. The class weights of both
   * sides (count × cw[class]) go into scratch.partLeft / scratch.partRight.
   */
  partition(start: number, end: number, feature: number, bin: number, missingLeft: boolean): number;
  readonly scratch: SplitScratch;
  /** The sample positions the kernels work on: a node is a range of it. */
  readonly idx: Uint32Array;
}

/**
 * The split kernels over one workspace: `d`'s arrays, the scratch buffers and the index array
 * `idx` (positions aligned with d.ny / d.nc). `d.cw`'s contents and `d.minWeightLeaf` may change
 * from tree to tree; the arrays themselves must not be replaced.
 *
 * Why closures: V8's optimising compiler reloads a typed array's map, length and data pointer at
 * every access inside a loop when the array arrives as a parameter or a field (nothing is hoisted
 * out of a loop that has a stack check), which made each kernel's inner loop two to three times
 * longer than its arithmetic. Arrays captured as `const` by a closure that was created only once
 * become compile-time constants instead: no checks, no reloads (the partition measured 13 → 5 ns
 * per sample). So a tree worker creates its kernels once, for its one job; a second set created in
 * the same thread is correct but loses that specialisation.
 */
export function createSplitKernels(d: SplitData, s: SplitScratch, idx: Uint32Array): SplitKernels {
  const { bins, nRows, nBins: featureBins, ny, nc, cw, K, criterion } = d;
  const {
    hist,
    binCount,
    sortedC,
    sortedW,
    sortedBin,
    binKey,
    tmpIdx,
    tmpCount,
    partLeft,
    partRight,
    partCount,
    goesRight,
    left: L,
    total: T,
    missing: M,
  } = s;
  const buildHistogram = createHistogramKernel(bins, idx, ny, nc, K, hist, binCount);
  const msl = d.minSamplesLeaf;

  function evaluateFeature(
    start: number,
    end: number,
    f: number,
    best: SplitCandidate,
    nodeTotals: Float64Array,
    nodeOffset: number,
  ): number {
    return (end - start) * HISTOGRAM_COST_RATIO >= featureBins[f] * K
      ? evaluateByHistogram(start, end, f, best, nodeTotals, nodeOffset)
      : evaluateBySweep(start, end, f, best, nodeTotals, nodeOffset);
  }

  function evaluateByHistogram(
    start: number,
    end: number,
    f: number,
    best: SplitCandidate,
    nodeTotals: Float64Array,
    nodeOffset: number,
  ): number {
    const nBins = featureBins[f];
    buildHistogram(f * nRows, start, end, nBins);
    let minB = MISSING_BIN;
    let maxB = -1;
    // Only the feature's own bins can be occupied (besides the missing bin): few for tf-idf and categories.
    for (let b = 0; b < nBins; b++) {
      if (binCount[b] !== 0) {
        if (minB === MISSING_BIN) minB = b;
        maxB = b;
      }
    }
    const nM = binCount[MISSING_BIN];
    const n = end - start;
    let status = FEATURE_EVALUATED;
    if (nM === n || (nM === 0 && minB === maxB)) status = FEATURE_CONSTANT;
    else {
      for (let k = 0; k < K; k++) {
        M[k] = hist[MISSING_BIN * K + k] * cw[k];
        T[k] = nM === 0 ? nodeTotals[nodeOffset + k] : nodeTotals[nodeOffset + k] - M[k];
      }
      computeTotals(K, T, M, n - nM, nM);
      if (criterion === GINI) scanHistogramGini(minB, maxB, f, best);
      else {
        L.fill(0);
        let nL = 0,
          WL = 0;
        for (let b = minB; b <= maxB; b++) {
          const c = binCount[b];
          if (c === 0) continue;
          const o = b * K;
          for (let k = 0; k < K; k++) {
            const ww = hist[o + k] * cw[k];
            L[k] += ww;
            WL += ww;
          }
          nL += c;
          consider(d, s, f, b, nL, WL, 0, 0, 0, best);
        }
      }
    }
    // Leave the buffers zeroed for the next feature (one fill per range: a call per bin costs more).
    if (maxB >= minB) {
      binCount.fill(0, minB, maxB + 1);
      hist.fill(0, minB * K, (maxB + 1) * K);
    }
    binCount[MISSING_BIN] = 0;
    hist.fill(0, MISSING_BIN * K, MISSING_BIN * K + K);
    return status;
  }

  /** The Gini scan over the histogram's bins, thresholds evaluated inline (as sweepGini). */
  function scanHistogramGini(minB: number, maxB: number, f: number, best: SplitCandidate): void {
    const mwl = d.minWeightLeaf;
    const { nT, WT, sqT, nM, WM, sqM, tm } = totals;
    L.fill(0);
    let bestP = best.proxy;
    let bestB = -1;
    let bestML = false;
    let nL = 0,
      WL = 0,
      sqL = 0,
      tl = 0,
      lm = 0;
    for (let b = minB; b <= maxB; b++) {
      const c = binCount[b];
      if (c === 0) continue;
      const o = b * K;
      for (let k = 0; k < K; k++) {
        const count = hist[o + k];
        if (count === 0) continue;
        const ww = count * cw[k];
        const lk = L[k];
        sqL += ww * (2 * lk + ww);
        tl += ww * T[k];
        lm += ww * M[k];
        L[k] = lk + ww;
        WL += ww;
      }
      nL += c;
      const nR = nT - nL;
      const WR = WT - WL;
      const sqR = sqT - 2 * tl + sqL;
      if (nM === 0) {
        if (nL >= msl && nR >= msl && WL >= mwl && WR >= mwl && WL > 0 && WR > 0) {
          const q = sqL / WL + sqR / WR;
          if (q > bestP) {
            bestP = q;
            bestB = b;
            bestML = nL >= nR;
          }
        }
        continue;
      }
      const nL2 = nL + nM;
      const WL2 = WL + WM;
      if (nL2 >= msl && nR >= msl && WL2 >= mwl && WR >= mwl && WL2 > 0 && WR > 0) {
        const q = (sqL + 2 * lm + sqM) / WL2 + sqR / WR;
        if (q > bestP) {
          bestP = q;
          bestB = b;
          bestML = true;
        }
      }
      const nR2 = nR + nM;
      const WR2 = WR + WM;
      if (nL >= msl && nR2 >= msl && WL >= mwl && WR2 >= mwl && WL > 0 && WR2 > 0) {
        const q = sqL / WL + (sqR + 2 * (tm - lm) + sqM) / WR2;
        if (q > bestP) {
          bestP = q;
          bestB = b;
          bestML = false;
        }
      }
    }
    if (bestB >= 0) set(best, bestP, f, bestB, bestML);
  }

  function evaluateBySweep(
    start: number,
    end: number,
    f: number,
    best: SplitCandidate,
    nodeTotals: Float64Array,
    nodeOffset: number,
  ): number {
    const base = f * nRows;
    const cnt = binCount;
    M.fill(0);
    let minB = MISSING_BIN;
    let maxB = 0;
    const n = end - start;
    let nM = 0;
    for (let j = 0; j < n; j++) {
      const b = bins[base + idx[start + j]];
      binKey[j] = b;
      if (b === MISSING_BIN) {
        const c = ny[start + j];
        M[c] += nc[start + j] * cw[c];
        nM++;
      } else {
        if (b < minB) minB = b;
        if (b > maxB) maxB = b;
      }
    }
    if (nM === n || (nM === 0 && minB === maxB)) return FEATURE_CONSTANT;
    for (let k = 0; k < K; k++)
      T[k] = nM === 0 ? nodeTotals[nodeOffset + k] : nodeTotals[nodeOffset + k] - M[k];
    const nT = n - nM;
    // Non-missing samples ordered by bin into sortedC / sortedW / sortedBin[0, nT).
    if (nT <= INSERTION_SORT_MAX) {
      let m = 0;
      for (let j = 0; j < n; j++) {
        const b = binKey[j];
        if (b === MISSING_BIN) continue;
        let p = m++;
        while (p > 0 && sortedBin[p - 1] > b) {
          sortedBin[p] = sortedBin[p - 1];
          sortedC[p] = sortedC[p - 1];
          sortedW[p] = sortedW[p - 1];
          p--;
        }
        sortedBin[p] = b;
        const c = ny[start + j];
        sortedC[p] = c;
        sortedW[p] = nc[start + j] * cw[c];
      }
    } else {
      // Counted here, not in the gather loop: nodes this small mostly take the insertion sort, and a
      // counter incremented by every sample is a chain of dependent increments when bins repeat.
      for (let j = 0; j < n; j++) cnt[binKey[j]]++;
      let acc = 0;
      for (let b = minB; b <= maxB; b++) {
        const c = cnt[b];
        cnt[b] = acc;
        acc += c;
      }
      for (let j = 0; j < n; j++) {
        const b = binKey[j];
        if (b === MISSING_BIN) continue;
        const p = cnt[b]++;
        const c = ny[start + j];
        sortedC[p] = c;
        sortedW[p] = nc[start + j] * cw[c];
        sortedBin[p] = b;
      }
      cnt.fill(0, minB, maxB + 1);
      cnt[MISSING_BIN] = 0;
    }
    computeTotals(K, T, M, nT, nM);
    if (criterion === GINI) {
      sweepGini(nT, f, best);
      return FEATURE_EVALUATED;
    }
    L.fill(0);
    let nL = 0,
      WL = 0;
    for (let p = 0; p < nT; p++) {
      const ww = sortedW[p];
      L[sortedC[p]] += ww;
      WL += ww;
      nL++;
      const b = sortedBin[p];
      if (p + 1 < nT && sortedBin[p + 1] === b) continue;
      consider(d, s, f, b, nL, WL, 0, 0, 0, best);
    }
    return FEATURE_EVALUATED;
  }

  /**
   * Gini sweep over the samples sorted by bin, with every threshold's proxy computed inline from the
   * incremental sums (the hot loop of the whole fit).
   */
  function sweepGini(nT: number, f: number, best: SplitCandidate): void {
    const mwl = d.minWeightLeaf;
    const { WT, sqT, nM, WM, sqM, tm } = totals;
    L.fill(0);
    let bestP = best.proxy;
    let bestB = -1;
    let bestML = false;
    let nL = 0,
      WL = 0,
      sqL = 0,
      tl = 0,
      lm = 0;
    for (let p = 0; p < nT; p++) {
      const c = sortedC[p];
      const ww = sortedW[p];
      const lk = L[c];
      sqL += ww * (2 * lk + ww);
      tl += ww * T[c];
      lm += ww * M[c];
      L[c] = lk + ww;
      WL += ww;
      nL++;
      const b = sortedBin[p];
      if (p + 1 < nT && sortedBin[p + 1] === b) continue;
      const nR = nT - nL;
      const WR = WT - WL;
      const sqR = sqT - 2 * tl + sqL;
      if (nM === 0) {
        if (nL >= msl && nR >= msl && WL >= mwl && WR >= mwl && WL > 0 && WR > 0) {
          const q = sqL / WL + sqR / WR;
          if (q > bestP) {
            bestP = q;
            bestB = b;
            bestML = nL >= nR;
          }
        }
        continue;
      }
      const nL2 = nL + nM;
      const WL2 = WL + WM;
      if (nL2 >= msl && nR >= msl && WL2 >= mwl && WR >= mwl && WL2 > 0 && WR > 0) {
        const q = (sqL + 2 * lm + sqM) / WL2 + sqR / WR;
        if (q > bestP) {
          bestP = q;
          bestB = b;
          bestML = true;
        }
      }
      const nR2 = nR + nM;
      const WR2 = WR + WM;
      if (nL >= msl && nR2 >= msl && WL >= mwl && WR2 >= mwl && WL > 0 && WR2 > 0) {
        const q = sqL / WL + (sqR + 2 * (tm - lm) + sqM) / WR2;
        if (q > bestP) {
          bestP = q;
          bestB = b;
          bestML = false;
        }
      }
    }
    if (bestB >= 0) set(best, bestP, f, bestB, bestML);
  }

  function partition(start: number, end: number, feature: number, bin: number, missingLeft: boolean): number {
    const base = feature * nRows;
    const tmpClass = sortedC;
    partCount.fill(0);
    goesRight.fill(0, 0, bin + 1);
    goesRight.fill(1, bin + 1, MISSING_BIN);
    goesRight[MISSING_BIN] = missingLeft ? 0 : 1;
    // Branch-free: which side a sample goes to is close to a coin flip for the branch predictor, so
    // every sample is written to both sides and only that side's cursor moves (idx[l] may be
    // overwritten: l <= j, and position j has been read). Classes are counted as integers.
    let l = start;
    let r = 0;
    for (let j = start; j < end; j++) {
      const id = idx[j];
      const c = ny[j];
      const m = nc[j];
      const right = goesRight[bins[base + id]];
      idx[l] = id;
      ny[l] = c;
      nc[l] = m;
      tmpIdx[r] = id;
      tmpClass[r] = c;
      tmpCount[r] = m;
      partCount[right * K + c] += m;
      l += 1 - right;
      r += right;
    }
    // Weights as count × class weight, the way the split kernels compute them.
    for (let k = 0; k < K; k++) {
      partLeft[k] = partCount[k] * cw[k];
      partRight[k] = partCount[K + k] * cw[k];
    }
    for (let j = 0; j < r; j++) {
      idx[l + j] = tmpIdx[j];
      ny[l + j] = tmpClass[j];
      nc[l + j] = tmpCount[j];
    }
    return l;
  }

  return { evaluateFeature, partition, scratch: s, idx };
}

/**
 * Naive oracle for tests: tries every threshold and missing direction by recomputing the children's
 * class vectors from scratch, `w[row]` being each row's sample weight (bootstrap count × class
 * weight). Returns the best proxy over the given feature (or -Infinity).
 */
export function bestSplitNaive(
  d: SplitData,
  w: ArrayLike<number>,
  rows: readonly number[],
  f: number,
): { proxy: number; bin: number; missingLeft: boolean } {
  let best = { proxy: -Infinity, bin: 0, missingLeft: false };
  const binsOf = rows.map((r) => d.bins[f * d.nRows + r]);
  const occupied = [...new Set(binsOf.filter((b) => b !== MISSING_BIN))].sort((a, b) => a - b);
  const anyMissing = binsOf.some((b) => b === MISSING_BIN);
  for (const b of occupied) {
    for (const missingLeft of anyMissing ? [true, false] : [true]) {
      const L = new Array<number>(d.K).fill(0);
      const R = new Array<number>(d.K).fill(0);
      let nL = 0;
      let nR = 0;
      rows.forEach((r, j) => {
        const bin = binsOf[j];
        const goesLeft = bin === MISSING_BIN ? missingLeft : bin <= b;
        if (goesLeft) {
          L[d.y[r]] += w[r];
          nL++;
        } else {
          R[d.y[r]] += w[r];
          nR++;
        }
      });
      const WL = L.reduce((a, x) => a + x, 0);
      const WR = R.reduce((a, x) => a + x, 0);
      if (nL < d.minSamplesLeaf || nR < d.minSamplesLeaf || WL <= 0 || WR <= 0) continue;
      if (WL < d.minWeightLeaf || WR < d.minWeightLeaf) continue;
      const proxy =
        d.criterion === GINI
          ? L.reduce((a, x) => a + x * x, 0) / WL + R.reduce((a, x) => a + x * x, 0) / WR
          : L.reduce((a, x) => a + xlogx(x), 0) + R.reduce((a, x) => a + xlogx(x), 0) - xlogx(WL) - xlogx(WR);
      if (proxy > best.proxy + 1e-12) best = { proxy, bin: b, missingLeft };
    }
  }
  return best;
}
