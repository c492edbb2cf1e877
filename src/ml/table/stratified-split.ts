/**
 * Stratified shuffle split with scikit-learn's semantics (StratifiedShuffleSplit / train_test_split
 * with stratify): n_test = ceil(test_size·n), per-class counts by `_approximate_mode` (floor of the
 * proportional share, leftovers to the largest remainders, ties broken at random), a random
 * permutation within each class, then both sides shuffled. Deterministic for a seed; the random
 * stream is this project's (xoshiro128**), so indices differ from numpy's.
 */
import { Random } from '../random';
import { type Table } from './table';
import { selectRows } from './rows';

export interface StratifiedSplitOptions {
  /** A fraction in (0, 1), or a row count. */
  testSize: number;
  /** Column whose classes keep their proportions in both parts. */
  stratify: string;
  seed: number;
}

export interface SplitResult {
  train: Table;
  test: Table;
  trainIndices: Uint32Array;
  testIndices: Uint32Array;
}

function permutation(n: number, rng: Random): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** sklearn's `_approximate_mode`: a per-class allocation of `nDraws` that sums exactly to it. */
export function approximateMode(classCounts: readonly number[], nDraws: number, rng: Random): number[] {
  const total = classCounts.reduce((a, b) => a + b, 0);
  const continuous = classCounts.map((c) => (c / total) * nDraws);
  const floored = continuous.map(Math.floor);
  let needToAdd = nDraws - floored.reduce((a, b) => a + b, 0);
  if (needToAdd > 0) {
    const remainder = continuous.map((c, i) => c - floored[i]);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const inds = remainder.flatMap((r, i) => (r === value ? [i] : []));
      const addNow = Math.min(inds.length, needToAdd);
      // A random subset of the tied classes (choice without replacement).
      const pick = permutation(inds.length, rng).subarray(0, addNow);
      for (const k of pick) floored[inds[k]] += 1;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

function classKeys(table: Table, name: string): string[] {
  const col = table.column(name);
  const keys = new Array<string>(table.nRows);
  for (let i = 0; i < table.nRows; i++) {
    const v = col.values[i];
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) {
      throw new Error(
        `stratify column "${name}" row ${i + 1}: missing value (drop or label the rows without one, or set data.stratify=false)`,
      );
    }
    keys[i] = String(v);
  }
  return keys;
}

export function stratifiedSplit(table: Table, opts: StratifiedSplitOptions): SplitResult {
  const n = table.nRows;
  const { testSize } = opts;
  let nTest: number;
  if (Number.isInteger(testSize) && testSize >= 1) nTest = testSize;
  else if (testSize > 0 && testSize < 1) nTest = Math.ceil(testSize * n);
  else throw new Error(`testSize must be a fraction in (0, 1) or a positive row count, got ${testSize}`);
  const nTrain = n - nTest;
  if (nTrain <= 0) throw new Error(`testSize ${testSize} leaves no training rows out of ${n}`);

  const keys = classKeys(table, opts.stratify);
  const byClass = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    let list = byClass.get(keys[i]);
    if (!list) byClass.set(keys[i], (list = []));
    list.push(i);
  }
  const classes = [...byClass.keys()].sort();
  const counts = classes.map((c) => (byClass.get(c) as number[]).length);
  const least = Math.min(...counts);
  if (least < 2) {
    const c = classes[counts.indexOf(least)];
    throw new Error(
      `stratify column "${opts.stratify}": class "${c}" has only 1 row; a stratified split needs at least 2 of every class (add rows of it, drop it, or set data.stratify=false)`,
    );
  }
  if (nTrain < classes.length)
    throw new Error(`train size ${nTrain} is smaller than the ${classes.length} classes`);
  if (nTest < classes.length)
    throw new Error(`test size ${nTest} is smaller than the ${classes.length} classes`);

  const rng = new Random(opts.seed >>> 0);
  const nI = approximateMode(counts, nTrain, rng);
  const tI = approximateMode(
    counts.map((c, i) => c - nI[i]),
    nTest,
    rng,
  );
  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((c, k) => {
    const rows = byClass.get(c) as number[];
    const perm = permutation(rows.length, rng);
    for (let i = 0; i < nI[k]; i++) train.push(rows[perm[i]]);
    for (let i = nI[k]; i < nI[k] + tI[k]; i++) test.push(rows[perm[i]]);
  });
  const trainIndices = shuffled(train, rng);
  const testIndices = shuffled(test, rng);
  return {
    train: selectRows(table, trainIndices),
    test: selectRows(table, testIndices),
    trainIndices,
    testIndices,
  };
}

function shuffled(xs: readonly number[], rng: Random): Uint32Array {
  const p = permutation(xs.length, rng);
  const out = new Uint32Array(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[p[i]];
  return out;
}
