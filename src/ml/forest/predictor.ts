/**
 * Inference trees: one flat node array per tree, concatenated into one forest. A node is internal
 * when feature >= 0; its children are `child` and `child + 1` (left, right). For a leaf, `child` is
 * the leaf id, and the leaf's class probabilities are stored sparsely in
 * leafClass/leafValue[leafStart[id], leafStart[id + 1]) — deep leaves hold few classes, so summing
 * them is far cheaper than adding K values per tree.
 *
 * Thresholds are kept both as a bin index (for the binned training data, e.g. OOB) and as a raw
 * float (so prediction needs no binning): non-missing x goes left when x <= threshold.
 */
import type { BinnedData } from './binning';
import { MISSING_BIN } from './binning';
import type { TrainTree } from './grower';

export interface TreeArrays {
  feature: Int32Array;
  threshold: Float64Array;
  binThreshold: Uint8Array;
  missingLeft: Uint8Array;
  /** Tree-local: left child index for internal nodes, leaf index for leaves. */
  child: Int32Array;
  leafStart: Uint32Array;
  leafClass: Uint16Array;
  leafValue: Float64Array;
  /** sklearn's per-tree feature_importances_ (normalised; all zero for a single-leaf tree). */
  importance: Float64Array;
}

/** Compacts a grown training tree into inference arrays. */
export function toTreeArrays(tree: TrainTree, binned: Pick<BinnedData, 'nBins' | 'thresholds'>): TreeArrays {
  const n = tree.nodeCount;
  const K = tree.K;
  const feature = tree.feature.slice(0, n);
  const binThreshold = tree.bin.slice(0, n);
  const missingLeft = tree.missingLeft.slice(0, n);
  const threshold = new Float64Array(n);
  const child = new Int32Array(n);
  let nLeaves = 0;
  let nEntries = 0;
  for (let i = 0; i < n; i++) {
    if (feature[i] >= 0) continue;
    nLeaves++;
    for (let k = 0; k < K; k++) if (tree.totals[i * K + k] > 0) nEntries++;
  }
  const leafStart = new Uint32Array(nLeaves + 1);
  const leafClass = new Uint16Array(nEntries);
  const leafValue = new Float64Array(nEntries);
  let leaf = 0;
  let e = 0;
  for (let i = 0; i < n; i++) {
    const f = feature[i];
    if (f >= 0) {
      const b = binThreshold[i];
      threshold[i] = b < binned.nBins[f] - 1 ? binned.thresholds[f][b] : Infinity;
      child[i] = tree.left[i];
      continue;
    }
    let W = 0;
    for (let k = 0; k < K; k++) W += tree.totals[i * K + k];
    leafStart[leaf] = e;
    for (let k = 0; k < K; k++) {
      const t = tree.totals[i * K + k];
      if (t > 0) {
        leafClass[e] = k;
        leafValue[e] = t / W;
        e++;
      }
    }
    child[i] = leaf++;
  }
  leafStart[nLeaves] = e;

  const importance = new Float64Array(tree.importance.length);
  const rootW = tree.totals.subarray(0, K).reduce((a, x) => a + x, 0);
  let sum = 0;
  for (let f = 0; f < importance.length; f++) {
    importance[f] = tree.importance[f] / rootW;
    sum += importance[f];
  }
  if (sum > 0) for (let f = 0; f < importance.length; f++) importance[f] /= sum;
  return {
    feature,
    threshold,
    binThreshold,
    missingLeft,
    child,
    leafStart,
    leafClass,
    leafValue,
    importance,
  };
}

/** All trees of a forest in shared flat arrays, with global child / leaf indices. */
export interface ForestArrays {
  nTrees: number;
  nClasses: number;
  nFeatures: number;
  /** Root node index of each tree. */
  treeStart: Uint32Array;
  feature: Int32Array;
  threshold: Float64Array;
  binThreshold: Uint8Array;
  missingLeft: Uint8Array;
  child: Int32Array;
  leafStart: Uint32Array;
  leafClass: Uint16Array;
  leafValue: Float64Array;
  /** The training bin edges of feature f: binEdges[binEdgeStart[f], binEdgeStart[f + 1]). */
  binEdges: Float64Array;
  binEdgeStart: Uint32Array;
}

export function concatTrees(
  trees: readonly TreeArrays[],
  nClasses: number,
  nFeatures: number,
  thresholds: readonly Float64Array[],
): ForestArrays {
  let nodes = 0;
  let leaves = 0;
  let entries = 0;
  for (const t of trees) {
    nodes += t.feature.length;
    leaves += t.leafStart.length - 1;
    entries += t.leafClass.length;
  }
  const out: ForestArrays = {
    nTrees: trees.length,
    nClasses,
    nFeatures,
    treeStart: new Uint32Array(trees.length + 1),
    feature: new Int32Array(nodes),
    threshold: new Float64Array(nodes),
    binThreshold: new Uint8Array(nodes),
    missingLeft: new Uint8Array(nodes),
    child: new Int32Array(nodes),
    leafStart: new Uint32Array(leaves + 1),
    leafClass: new Uint16Array(entries),
    leafValue: new Float64Array(entries),
    binEdges: new Float64Array(thresholds.reduce((a, t) => a + t.length, 0)),
    binEdgeStart: new Uint32Array(nFeatures + 1),
  };
  let edges = 0;
  thresholds.forEach((t, f) => {
    out.binEdgeStart[f] = edges;
    out.binEdges.set(t, edges);
    edges += t.length;
  });
  out.binEdgeStart[nFeatures] = edges;
  let no = 0;
  let lo = 0;
  let eo = 0;
  trees.forEach((t, ti) => {
    out.treeStart[ti] = no;
    const n = t.feature.length;
    out.feature.set(t.feature, no);
    out.threshold.set(t.threshold, no);
    out.binThreshold.set(t.binThreshold, no);
    out.missingLeft.set(t.missingLeft, no);
    for (let i = 0; i < n; i++) out.child[no + i] = t.child[i] + (t.feature[i] >= 0 ? no : lo);
    const nl = t.leafStart.length - 1;
    for (let l = 0; l < nl; l++) out.leafStart[lo + l] = t.leafStart[l] + eo;
    out.leafClass.set(t.leafClass, eo);
    out.leafValue.set(t.leafValue, eo);
    no += n;
    lo += nl;
    eo += t.leafClass.length;
  });
  out.treeStart[trees.length] = no;
  out.leafStart[lo] = eo;
  return out;
}

/**
 * Rows per block. The block is copied row-major, so a row's features share cache lines and the
 * whole block stays in L1 while every tree walks it.
 */
const BLOCK = 64;

/**
 * Mean class probabilities over the trees, row-major `out[i * K + k]`, from raw float columns
 * (NaN = missing). Trees are summed in index order, so the result is the same for any block size.
 */
export function predictForest(
  m: ForestArrays,
  columns: readonly Float64Array[],
  nRows: number,
): Float64Array {
  const K = m.nClasses;
  const F = m.nFeatures;
  const out = new Float64Array(nRows * K);
  const { feature, threshold, missingLeft, child, leafStart, leafClass, leafValue, treeStart } = m;
  const block = Math.max(1, Math.min(BLOCK, nRows));
  const rows = new Float64Array(block * F);
  for (let b0 = 0; b0 < nRows; b0 += block) {
    const nb = Math.min(block, nRows - b0);
    for (let f = 0; f < F; f++) {
      const col = columns[f];
      for (let i = 0; i < nb; i++) rows[i * F + f] = col[b0 + i];
    }
    for (let t = 0; t < m.nTrees; t++) {
      const root = treeStart[t];
      for (let i = 0; i < nb; i++) {
        const r = i * F;
        let n = root;
        let f = feature[n];
        while (f >= 0) {
          const v = rows[r + f];
          if (v <= threshold[n]) n = child[n];
          else if (v !== v) n = child[n] + 1 - missingLeft[n];
          else n = child[n] + 1;
          f = feature[n];
        }
        const leaf = child[n];
        const o = (b0 + i) * K;
        for (let e = leafStart[leaf], end = leafStart[leaf + 1]; e < end; e++)
          out[o + leafClass[e]] += leafValue[e];
      }
    }
  }
  const inv = 1 / m.nTrees;
  for (let i = 0; i < out.length; i++) out[i] *= inv;
  return out;
}

/**
 * Prediction on bins: each row is binned once with the training edges (so `bin <= binThreshold`
 * is exactly `x <= threshold`), then every tree step is integer arithmetic with no data-dependent
 * branch — a float comparison per level would be a mispredicted jump half of the time. Four rows
 * walk each tree in lockstep: their steps are independent, so the CPU overlaps their load latencies.
 */
export interface BinnedNodes {
  /**
   * feature | binThreshold << 16 | missingLeft << 24 for a split. A leaf has the sign bit set and
   * reads the dummy all-zero bin column nFeatures against threshold 255, so a step stays put.
   */
  info: Int32Array;
  /** Left child of a split (right = +1); a leaf points to itself. */
  next: Int32Array;
}

const LEAF_SIGN = -0x80000000;

export function packNodes(m: ForestArrays): BinnedNodes {
  if (m.nFeatures >= 0xffff) {
    throw new Error(`binned prediction supports fewer than 65535 features, got ${m.nFeatures}`);
  }
  const info = new Int32Array(m.feature.length);
  const next = new Int32Array(m.feature.length);
  for (let n = 0; n < info.length; n++) {
    const f = m.feature[n];
    if (f < 0) {
      info[n] = LEAF_SIGN | m.nFeatures | (0xff << 16);
      next[n] = n;
    } else {
      info[n] = f | (m.binThreshold[n] << 16) | (m.missingLeft[n] << 24);
      next[n] = m.child[n];
    }
  }
  return { info, next };
}

/** Rows binned and walked per block; the block's bins stay in L1 while every tree walks it. */
const BINNED_BLOCK = 256;

/** One step: right when bin > threshold, flipped for a missing value (bin 255) that goes left. */
function step(info: number, b: number): number {
  return ((((info >>> 16) & 0xff) - b) >>> 31) ^ (((b + 1) >>> 8) & (info >>> 24) & 1);
}

export function predictBinned(
  m: ForestArrays,
  nodes: BinnedNodes,
  columns: readonly Float64Array[],
  nRows: number,
): Float64Array {
  const K = m.nClasses;
  const F = m.nFeatures;
  const W = F + 1;
  const out = new Float64Array(nRows * K);
  const { child, leafStart, leafClass, leafValue, treeStart, binEdges, binEdgeStart } = m;
  const { info, next } = nodes;
  const block = Math.max(1, Math.min(BINNED_BLOCK, nRows));
  // Row-major bins of the block; column F stays 0 (read by leaves).
  const rowBins = new Uint8Array(block * W);
  const leaves = new Int32Array(block);
  for (let b0 = 0; b0 < nRows; b0 += block) {
    const nb = Math.min(block, nRows - b0);
    for (let f = 0; f < F; f++) {
      const col = columns[f];
      const e0 = binEdgeStart[f];
      const e1 = binEdgeStart[f + 1];
      for (let i = 0; i < nb; i++) {
        const x = col[b0 + i];
        let bin: number;
        if (x !== x) bin = MISSING_BIN;
        else {
          // Smallest edge index with x <= edge (as binValue).
          let lo = e0;
          let hi = e1;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (x <= binEdges[mid]) hi = mid;
            else lo = mid + 1;
          }
          bin = lo - e0;
        }
        rowBins[i * W + f] = bin;
      }
    }
    for (let t = 0; t < m.nTrees; t++) {
      const root = treeStart[t];
      const rootInfo = info[root];
      let i = 0;
      for (; i + 4 <= nb; i += 4) {
        const r0 = i * W;
        const r1 = r0 + W;
        const r2 = r1 + W;
        const r3 = r2 + W;
        let n0 = root,
          n1 = root,
          n2 = root,
          n3 = root;
        let a0 = rootInfo,
          a1 = rootInfo,
          a2 = rootInfo,
          a3 = rootInfo;
        // Until all four reached a leaf (sign bit set in every info).
        while ((a0 & a1 & a2 & a3) >= 0) {
          n0 = next[n0] + step(a0, rowBins[r0 + (a0 & 0xffff)]);
          n1 = next[n1] + step(a1, rowBins[r1 + (a1 & 0xffff)]);
          n2 = next[n2] + step(a2, rowBins[r2 + (a2 & 0xffff)]);
          n3 = next[n3] + step(a3, rowBins[r3 + (a3 & 0xffff)]);
          a0 = info[n0];
          a1 = info[n1];
          a2 = info[n2];
          a3 = info[n3];
        }
        leaves[i] = child[n0];
        leaves[i + 1] = child[n1];
        leaves[i + 2] = child[n2];
        leaves[i + 3] = child[n3];
      }
      for (; i < nb; i++) {
        const r = i * W;
        let n = root;
        let a = rootInfo;
        while (a >= 0) {
          n = next[n] + step(a, rowBins[r + (a & 0xffff)]);
          a = info[n];
        }
        leaves[i] = child[n];
      }
      for (let j = 0; j < nb; j++) {
        const leaf = leaves[j];
        const o = (b0 + j) * K;
        for (let e = leafStart[leaf], end = leafStart[leaf + 1]; e < end; e++)
          out[o + leafClass[e]] += leafValue[e];
      }
    }
  }
  const inv = 1 / m.nTrees;
  for (let i = 0; i < out.length; i++) out[i] *= inv;
  return out;
}

/** Naive oracle for tests: one row, one tree at a time, straight from the definition. */
export function predictRowNaive(m: ForestArrays, x: readonly number[]): number[] {
  const p = new Array<number>(m.nClasses).fill(0);
  for (let t = 0; t < m.nTrees; t++) {
    let n = m.treeStart[t];
    while (m.feature[n] >= 0) {
      const v = x[m.feature[n]];
      const left = Number.isNaN(v) ? m.missingLeft[n] === 1 : v <= m.threshold[n];
      n = left ? m.child[n] : m.child[n] + 1;
    }
    const leaf = m.child[n];
    for (let e = m.leafStart[leaf]; e < m.leafStart[leaf + 1]; e++) p[m.leafClass[e]] += m.leafValue[e];
  }
  return p.map((v) => v * (1 / m.nTrees));
}
