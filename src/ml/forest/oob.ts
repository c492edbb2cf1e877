/**
 * Out-of-bag scoring without work on the calling thread beyond cheap additions: each worker sends,
 * with its tree, the leaf reached by every row that tree's bootstrap left out; the caller adds the
 * leaf probabilities in tree order (buffering trees that finish early), so the sums — and the
 * score — are the same whatever n_jobs is.
 */
import type { BinnedData } from './binning';
import { MISSING_BIN } from './binning';
import type { TreeArrays } from './predictor';

/** Tree-local leaf id reached by each out-of-bag row (counts[i] = 0), -1 for in-bag rows. */
export function oobLeaves(tree: TreeArrays, binned: BinnedData, counts: Uint32Array): Int32Array {
  const { nRows, bins } = binned;
  const out = new Int32Array(nRows).fill(-1);
  const { feature, binThreshold, missingLeft, child } = tree;
  for (let i = 0; i < nRows; i++) {
    if (counts[i] !== 0) continue;
    let n = 0;
    let f = feature[0];
    while (f >= 0) {
      const b = bins[f * nRows + i];
      const left = b === MISSING_BIN ? missingLeft[n] === 1 : b <= binThreshold[n];
      n = child[n] + (left ? 0 : 1);
      f = feature[n];
    }
    out[i] = child[n];
  }
  return out;
}

export class OobAccumulator {
  private readonly sum: Float64Array;
  private readonly seen: Uint8Array;
  private readonly pending = new Map<number, { tree: TreeArrays; leaves: Int32Array }>();
  private next = 0;

  constructor(
    private readonly nRows: number,
    private readonly K: number,
  ) {
    this.sum = new Float64Array(nRows * K);
    this.seen = new Uint8Array(nRows);
  }

  /** Records tree `t`'s out-of-bag leaves; applies every tree whose predecessors are all in. */
  add(t: number, tree: TreeArrays, leaves: Int32Array): void {
    this.pending.set(t, { tree, leaves });
    for (let p = this.pending.get(this.next); p !== undefined; p = this.pending.get(this.next)) {
      this.pending.delete(this.next);
      this.next++;
      const { leafStart, leafClass, leafValue } = p.tree;
      for (let i = 0; i < this.nRows; i++) {
        const leaf = p.leaves[i];
        if (leaf < 0) continue;
        this.seen[i] = 1;
        const o = i * this.K;
        for (let e = leafStart[leaf]; e < leafStart[leaf + 1]; e++)
          this.sum[o + leafClass[e]] += leafValue[e];
      }
    }
  }

  /** sklearn's oob_score_: accuracy of the argmax over rows that were out of bag at least once. */
  score(y: Int32Array): number {
    let n = 0;
    let correct = 0;
    for (let i = 0; i < this.nRows; i++) {
      if (!this.seen[i]) continue;
      n++;
      let best = 0;
      const o = i * this.K;
      for (let k = 1; k < this.K; k++) if (this.sum[o + k] > this.sum[o + best]) best = k;
      if (best === y[i]) correct++;
    }
    return n === 0 ? NaN : correct / n;
  }
}
