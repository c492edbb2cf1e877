/**
 * Grows one decision tree on binned data: depth-first by default, best-first (largest impurity
 * decrease first) when max_leaf_nodes is set, as sklearn's DepthFirst/BestFirst tree builders do.
 * The training tree keeps per-node class totals; `toTreeArrays` (predictor.ts) compacts it.
 */
import type { Random } from '../random';
import {
  ENTROPY,
  FEATURE_CONSTANT,
  type SplitCandidate,
  type SplitData,
  type SplitKernels,
  newCandidate,
} from './splitter';

export interface GrowParams {
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  minWeightLeaf: number;
  maxFeatures: number;
  maxLeafNodes: number;
  minImpurityDecrease: number;
}

/** Training tree: growable node arrays; feature -1 marks a leaf. Children of a node are adjacent. */
export class TrainTree {
  nodeCount = 0;
  feature = new Int32Array(64);
  bin = new Uint8Array(64);
  missingLeft = new Uint8Array(64);
  left = new Int32Array(64);
  /** Class weight totals, K per node. */
  totals: Float64Array;
  /** Unnormalised impurity decrease per feature (W·imp − W_L·imp_L − W_R·imp_R). */
  readonly importance: Float64Array;
  constructor(
    readonly K: number,
    nFeatures: number,
  ) {
    this.totals = new Float64Array(64 * K);
    this.importance = new Float64Array(nFeatures);
  }

  addNode(): number {
    if (this.nodeCount === this.feature.length) this.grow();
    const id = this.nodeCount++;
    this.feature[id] = -1;
    return id;
  }

  private grow(): void {
    const cap = this.feature.length * 2;
    const f = new Int32Array(cap);
    f.set(this.feature);
    this.feature = f;
    const b = new Uint8Array(cap);
    b.set(this.bin);
    this.bin = b;
    const m = new Uint8Array(cap);
    m.set(this.missingLeft);
    this.missingLeft = m;
    const l = new Int32Array(cap);
    l.set(this.left);
    this.left = l;
    const t = new Float64Array(cap * this.K);
    t.set(this.totals);
    this.totals = t;
  }
}

function impurity(criterion: number, t: Float64Array, o: number, K: number): { W: number; imp: number } {
  let W = 0;
  for (let k = 0; k < K; k++) W += t[o + k];
  if (W <= 0) return { W: 0, imp: 0 };
  let imp: number;
  if (criterion === ENTROPY) {
    imp = 0;
    for (let k = 0; k < K; k++) {
      const p = t[o + k] / W;
      if (p > 0) imp -= p * Math.log2(p);
    }
  } else {
    let sq = 0;
    for (let k = 0; k < K; k++) sq += t[o + k] * t[o + k];
    imp = 1 - sq / (W * W);
  }
  return { W, imp };
}

/** The root's class weights: bootstrap counts per class × class weight (as `partition` does). */
function sumClasses(d: SplitData, start: number, end: number, out: Float64Array, o: number): void {
  const { ny, nc, cw, K } = d;
  const counts = new Float64Array(K);
  for (let j = start; j < end; j++) counts[ny[j]] += nc[j];
  for (let k = 0; k < K; k++) out[o + k] = counts[k] * cw[k];
}

const NONE = new Int32Array(0);

/** sklearn's EPSILON: a node at or below this impurity is pure. */
const EPSILON = 2.220446049250313e-16;

interface Pending {
  node: number;
  start: number;
  end: number;
  depth: number;
  split: SplitCandidate | null;
  /** Impurity decrease the split would bring (weighted by the node's share of the root weight). */
  gain: number;
  /** Features constant in this node (known from ancestors, plus those found here once split). */
  constants: Int32Array;
}

/**
 * Grows a tree over the in-bag rows at positions [0, nIn) of the kernels' index array (reordered in
 * place, with d.ny / d.nc aligned to it). `rng` draws the feature subsets.
 */
export function growTree(
  d: SplitData,
  kernels: SplitKernels,
  nIn: number,
  params: GrowParams,
  rng: Random,
): TrainTree {
  const scratch = kernels.scratch;
  const K = d.K;
  const tree = new TrainTree(K, d.nFeatures);
  const features = new Int32Array(d.nFeatures);
  for (let f = 0; f < d.nFeatures; f++) features[f] = f;

  const root = tree.addNode();
  sumClasses(d, 0, nIn, tree.totals, root * K);
  const rootW = impurity(d.criterion, tree.totals, 0, K).W;

  /** Finds the node's split, or null when it must be a leaf. */
  // `features` is a permutation of the feature ids and pos its inverse; a node's known-constant
  // features are moved to its front before drawing (sklearn keeps them there implicitly).
  const pos = new Int32Array(d.nFeatures);
  for (let f = 0; f < d.nFeatures; f++) pos[f] = f;
  const swap = (i: number, j: number): void => {
    const a = features[i];
    const b = features[j];
    features[i] = b;
    features[j] = a;
    pos[b] = i;
    pos[a] = j;
  };

  const findSplit = (node: number, start: number, end: number, depth: number, known: Int32Array): Pending => {
    const pending: Pending = { node, start, end, depth, split: null, gain: 0, constants: known };
    const n = end - start;
    const { W, imp } = impurity(d.criterion, tree.totals, node * K, K);
    if (
      depth >= params.maxDepth ||
      n < params.minSamplesSplit ||
      n < 2 * params.minSamplesLeaf ||
      W < 2 * params.minWeightLeaf ||
      imp <= EPSILON
    ) {
      return pending;
    }
    const best = newCandidate();
    // sklearn's BestSplitter draw: features without replacement, skipping (but counting) features
    // known to be constant from the ancestors; stop after max_features draws unless every draw so
    // far was constant. Features found constant here are passed on to the children.
    const F = d.nFeatures;
    const nKnown = known.length;
    for (let i = 0; i < nKnown; i++) swap(i, pos[known[i]]);
    let fi = F;
    let nFound = 0;
    let nDrawnConstants = 0;
    let nTotalConstants = nKnown;
    let visited = 0;
    while (fi > nTotalConstants && (visited < params.maxFeatures || visited <= nFound + nDrawnConstants)) {
      visited++;
      let fj = nDrawnConstants + rng.nextInt(fi - nFound - nDrawnConstants);
      if (fj < nKnown) {
        swap(nDrawnConstants, fj);
        nDrawnConstants++;
        continue;
      }
      fj += nFound;
      const f = features[fj];
      if (kernels.evaluateFeature(start, end, f, best, tree.totals, node * K) === FEATURE_CONSTANT) {
        swap(fj, nTotalConstants);
        nFound++;
        nTotalConstants++;
        continue;
      }
      fi--;
      swap(fi, fj);
    }
    if (nFound > 0) {
      const c = new Int32Array(nKnown + nFound);
      c.set(known);
      for (let i = 0; i < nFound; i++) c[nKnown + i] = features[nKnown + i];
      pending.constants = c;
    }
    if (!best.found) return pending;
    pending.split = best;
    // Impurity decrease W·imp − (W_L·imp_L + W_R·imp_R) from the proxy: for Gini the children's
    // weighted impurity is W − proxy, for entropy it is −proxy.
    pending.gain = d.criterion === ENTROPY ? W * imp + best.proxy : W * imp - (W - best.proxy);
    return pending;
  };

  /** Applies a found split: partitions, creates both children, records the importance. */
  const applySplit = (p: Pending): { left: Pending; right: Pending } | null => {
    const s = p.split as SplitCandidate;
    const mid = kernels.partition(p.start, p.end, s.feature, s.bin, s.missingLeft);
    const { W, imp } = impurity(d.criterion, tree.totals, p.node * K, K);
    const l = tree.addNode();
    const r = tree.addNode();
    const t = tree.totals;
    t.set(scratch.partLeft, l * K);
    t.set(scratch.partRight, r * K);
    const L = impurity(d.criterion, t, l * K, K);
    const R = impurity(d.criterion, t, r * K, K);
    const decrease = W * imp - L.W * L.imp - R.W * R.imp;
    // sklearn: improvement = (W / W_root) * (imp − W_L/W imp_L − W_R/W imp_R).
    if (decrease / rootW + EPSILON < params.minImpurityDecrease) {
      tree.nodeCount -= 2;
      return null;
    }
    tree.feature[p.node] = s.feature;
    tree.bin[p.node] = s.bin;
    tree.missingLeft[p.node] = s.missingLeft ? 1 : 0;
    tree.left[p.node] = l;
    tree.importance[s.feature] += decrease;
    const constants = p.constants;
    return {
      left: { node: l, start: p.start, end: mid, depth: p.depth + 1, split: null, gain: 0, constants },
      right: { node: r, start: mid, end: p.end, depth: p.depth + 1, split: null, gain: 0, constants },
    };
  };

  if (params.maxLeafNodes > 0) growBestFirst(root, nIn, findSplit, applySplit, params.maxLeafNodes);
  else {
    const stack: Pending[] = [
      { node: root, start: 0, end: nIn, depth: 0, split: null, gain: 0, constants: NONE },
    ];
    while (stack.length > 0) {
      const top = stack.pop() as Pending;
      const p = findSplit(top.node, top.start, top.end, top.depth, top.constants);
      if (p.split === null) continue;
      const children = applySplit(p);
      if (children === null) continue;
      stack.push(children.right, children.left);
    }
  }
  return tree;
}

function growBestFirst(
  root: number,
  n: number,
  findSplit: (node: number, start: number, end: number, depth: number, known: Int32Array) => Pending,
  applySplit: (p: Pending) => { left: Pending; right: Pending } | null,
  maxLeafNodes: number,
): void {
  // Frontier of nodes whose best split is known; the one with the largest impurity decrease is
  // split next, until max_leaf_nodes leaves exist.
  const frontier: Pending[] = [];
  const expand = (p: Pending): void => {
    const found = findSplit(p.node, p.start, p.end, p.depth, p.constants);
    if (found.split === null) return;
    frontier.push(found);
  };
  expand({ node: root, start: 0, end: n, depth: 0, split: null, gain: 0, constants: NONE });
  let leaves = 1;
  while (frontier.length > 0 && leaves < maxLeafNodes) {
    // Largest impurity decrease first; ties by node id keep it deterministic.
    let bi = 0;
    for (let i = 1; i < frontier.length; i++) {
      const a = frontier[i];
      const b = frontier[bi];
      if (a.gain > b.gain || (a.gain === b.gain && a.node < b.node)) bi = i;
    }
    const p = frontier[bi];
    frontier.splice(bi, 1);
    const children = applySplit(p);
    if (children === null) continue;
    leaves++;
    expand(children.left);
    expand(children.right);
  }
}
