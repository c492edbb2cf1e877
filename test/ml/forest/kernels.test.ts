import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MISSING_BIN, binValue, fitBins, findThresholds } from '../../../src/ml/forest/binning';
import {
  HIST_BINS,
  buildHistogramNaive,
  createHistogramKernel,
  subtractHistogram,
} from '../../../src/ml/forest/histogram';
import {
  ENTROPY,
  GINI,
  type SplitData,
  SplitScratch,
  bestSplitNaive,
  createSplitKernels,
  newCandidate,
} from '../../../src/ml/forest/splitter';
import { Random, nextIndex } from '../../../src/ml/random';

/** Split data plus each row's sample weight (bootstrap count × class weight), for the oracles. */
type WeightedData = SplitData & { w: Float64Array };

/** Random binned data with few distinct values, some missing, and fractional weights. */
function randomData(nRows: number, seed: number, criterion: number, minSamplesLeaf = 1): WeightedData {
  const rng = new Random(seed);
  const K = 4;
  const columns = [0, 1, 2].map((f) =>
    Float64Array.from({ length: nRows }, () =>
      rng.nextFloat() < 0.1 * f ? NaN : rng.nextInt(f === 2 ? 300 : 20),
    ),
  );
  const binned = fitBins({ nRows, columns, names: ['a', 'b', 'c'] }, false);
  const y = Int32Array.from({ length: nRows }, (_, i) => (columns[0][i] > 10 ? 1 : 0) + rng.nextInt(3));
  const cw = Float64Array.from({ length: K }, () => 0.5 + rng.nextFloat());
  const counts = Int32Array.from({ length: nRows }, () => rng.nextInt(3));
  const w = Float64Array.from({ length: nRows }, (_, i) => counts[i] * cw[y[i]]);
  const rows = [...Array(nRows).keys()].filter((i) => w[i] > 0);
  return {
    bins: binned.bins,
    nRows,
    nFeatures: 3,
    nBins: binned.nBins,
    y,
    w,
    ny: Uint16Array.from(rows, (i) => y[i]),
    nc: Int32Array.from(rows, (i) => counts[i]),
    cw,
    K,
    criterion,
    minSamplesLeaf,
    minWeightLeaf: 0,
  };
}

/** Bootstrap count per row, recovered from the row weights. */
function rowCounts(d: WeightedData): number[] {
  return Array.from(d.w, (w, i) => Math.round(w / d.cw[d.y[i]]));
}

function inBag(d: WeightedData): Uint32Array {
  return Uint32Array.from([...Array(d.nRows).keys()].filter((i) => d.w[i] > 0));
}

void describe('binning', () => {
  void it('treats -0 and 0 as one value', () => {
    assert.deepEqual(Array.from(findThresholds(Float64Array.from([-0, 0, 1, NaN, 0]))), [0.5]);
  });

  void it('keeps the bin/threshold invariant used by the raw-float predictor', () => {
    const rng = new Random(3);
    for (const distinct of [1, 2, 50, 254, 255, 256, 5000]) {
      const col = Float64Array.from({ length: 6000 }, () =>
        rng.nextFloat() < 0.05 ? NaN : rng.nextInt(distinct) / 7,
      );
      const t = findThresholds(col);
      assert.ok(t.length <= 254, `${distinct} distinct values give ${t.length} thresholds`);
      for (let i = 1; i < t.length; i++) assert.ok(t[i] > t[i - 1], 'strictly increasing edges');
      for (const x of col) {
        const b = binValue(x, t);
        if (Number.isNaN(x)) {
          assert.equal(b, MISSING_BIN);
          continue;
        }
        for (let e = 0; e < t.length; e++) assert.equal(b <= e, x <= t[e]);
      }
      if (distinct <= 255) {
        const bins = new Set(Array.from(col, (x) => binValue(x, t)).filter((b) => b !== MISSING_BIN));
        assert.equal(
          bins.size,
          Math.min(distinct, new Set(Array.from(col).filter((x) => !Number.isNaN(x))).size),
        );
      }
    }
  });
});

void describe('histogram kernel', () => {
  void it('matches the naive histogram, and subtraction gives the sibling', () => {
    const d = randomData(700, 1, GINI);
    const idx = inBag(d);
    const half = idx.length >> 1;
    const K = d.K;
    for (let f = 0; f < 3; f++) {
      const col = d.bins.subarray(f * d.nRows, (f + 1) * d.nRows);
      const parent = new Int32Array(HIST_BINS * K);
      const parentCount = new Int32Array(HIST_BINS);
      createHistogramKernel(
        d.bins,
        idx,
        d.ny,
        d.nc,
        K,
        parent,
        parentCount,
      )(f * d.nRows, 0, idx.length, MISSING_BIN);
      const naive = buildHistogramNaive(col, [...idx], d.y, rowCounts(d), K);
      for (let b = 0; b < HIST_BINS; b++) {
        assert.equal(parentCount[b], naive.count[b]);
        for (let k = 0; k < K; k++) assert.ok(Math.abs(parent[b * K + k] - naive.hist[b][k]) < 1e-9);
      }
      // Told the feature's bin count, it touches only those bins and the missing one: same result.
      const bounded = new Int32Array(HIST_BINS * K);
      const boundedCount = new Int32Array(HIST_BINS);
      createHistogramKernel(
        d.bins,
        idx,
        d.ny,
        d.nc,
        K,
        bounded,
        boundedCount,
      )(f * d.nRows, 0, idx.length, d.nBins[f]);
      assert.deepEqual(bounded, parent);
      assert.deepEqual(boundedCount, parentCount);
      // An odd number of samples exercises the last unpaired one.
      const odd = new Int32Array(HIST_BINS * K);
      const oddCount = new Int32Array(HIST_BINS);
      createHistogramKernel(
        d.bins,
        idx,
        d.ny,
        d.nc,
        K,
        odd,
        oddCount,
      )(f * d.nRows, 1, idx.length, MISSING_BIN);
      const naiveOdd = buildHistogramNaive(col, [...idx.subarray(1)], d.y, rowCounts(d), K);
      for (let b = 0; b < HIST_BINS; b++) assert.equal(oddCount[b], naiveOdd.count[b]);
      const left = new Int32Array(HIST_BINS * K);
      const leftCount = new Int32Array(HIST_BINS);
      createHistogramKernel(d.bins, idx, d.ny, d.nc, K, left, leftCount)(f * d.nRows, 0, half, MISSING_BIN);
      const right = new Int32Array(HIST_BINS * K);
      const rightCount = new Int32Array(HIST_BINS);
      subtractHistogram(parent, parentCount, left, leftCount, right, rightCount);
      const naiveRight = buildHistogramNaive(col, [...idx.subarray(half)], d.y, rowCounts(d), K);
      for (let b = 0; b < HIST_BINS; b++) {
        assert.equal(rightCount[b], naiveRight.count[b]);
        for (let k = 0; k < K; k++) assert.ok(Math.abs(right[b * K + k] - naiveRight.hist[b][k]) < 1e-9);
      }
    }
  });
});

void describe('split kernels', () => {
  // Node sizes on both sides of the insertion-sort, counting-sort and histogram thresholds.
  const sizes = [5, 30, 200, 2500];
  for (const criterion of [GINI, ENTROPY]) {
    for (const n of sizes) {
      for (const msl of [1, 7]) {
        void it(`finds the naive best split (criterion ${criterion}, ${n} rows, min_samples_leaf ${msl})`, () => {
          const d = randomData(n, n + criterion * 13 + msl, criterion, msl);
          const idx = inBag(d);
          const kernels = createSplitKernels(d, new SplitScratch(d.nRows, d.K), idx);
          for (let f = 0; f < 3; f++) {
            const best = newCandidate();
            const totals = new Float64Array(d.K);
            for (const r of idx) totals[d.y[r]] += d.w[r];
            kernels.evaluateFeature(0, idx.length, f, best, totals, 0);
            const naive = bestSplitNaive(d, d.w, [...idx], f);
            if (naive.proxy === -Infinity) {
              assert.equal(best.found, false);
              continue;
            }
            assert.ok(best.found, `feature ${f}: a split exists`);
            assert.ok(
              Math.abs(best.proxy - naive.proxy) < 1e-9 * Math.max(1, Math.abs(naive.proxy)),
              `feature ${f}: proxy ${best.proxy} vs naive ${naive.proxy}`,
            );
          }
        });
      }
    }
  }

  for (const missingLeft of [true, false]) {
    void it(`partitions in place, keeping class and weight aligned with the indices (missing ${missingLeft ? 'left' : 'right'})`, () => {
      const d = randomData(300, 9, GINI);
      const idx = inBag(d);
      const before = new Map([...idx].map((r, j) => [r, [d.ny[j], d.nc[j]]]));
      const s = new SplitScratch(d.nRows, d.K);
      const mid = createSplitKernels(d, s, idx).partition(0, idx.length, 1, 5, missingLeft);
      const sides = [new Array<number>(d.K).fill(0), new Array<number>(d.K).fill(0)];
      idx.forEach((row, j) => (sides[j < mid ? 0 : 1][d.y[row]] += d.w[row]));
      for (let k = 0; k < d.K; k++) {
        assert.ok(Math.abs(s.partLeft[k] - sides[0][k]) < 1e-9, `left class ${k}`);
        assert.ok(Math.abs(s.partRight[k] - sides[1][k]) < 1e-9, `right class ${k}`);
      }
      for (let j = 0; j < idx.length; j++) {
        const b = d.bins[d.nRows + idx[j]];
        const left = b === MISSING_BIN ? missingLeft : b <= 5;
        assert.equal(left, j < mid, `position ${j}`);
        assert.deepEqual([d.ny[j], d.nc[j]], before.get(idx[j]));
        if (j > 0 && j !== mid) assert.ok(idx[j] > idx[j - 1], 'stable: ascending within each side');
      }
    });
  }
});

void describe('random', () => {
  void it('nextIndex is uniform and in range', () => {
    const rng = new Random(5);
    for (const n of [1, 2, 3, 7, 1000, 2097152, 3000000]) {
      for (let i = 0; i < 200; i++) {
        const v = nextIndex(rng, n);
        assert.ok(Number.isInteger(v) && v >= 0 && v < n, `${v} in [0, ${n})`);
      }
    }
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[nextIndex(rng, 6)]++;
    for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `counts ${counts.join(',')}`);
  });
});
