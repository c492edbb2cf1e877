/**
 * ROC-AUC as scikit-learn computes it: binary AUC is the Mann–Whitney statistic with tied scores given
 * their average rank (identical to sklearn's trapezoidal curve with ties); multiclass one-vs-one macro
 * averages, over each pair (a, b), the mean of AUC(a vs b on score a) and AUC(b vs a on score b)
 * (Hand & Till, sklearn's multi_class="ovo"); one-vs-rest macro averages AUC(k vs rest on score k).
 */
import { type Labels } from './classification';

/**
 * The Mann–Whitney AUC of two sorted score arrays (ascending): tied scores, within and across the
 * two, share their average rank. The ranks are walked in ascending order and summed one positive at
 * a time, so the result is the same, bit for bit, as ranking the rows together.
 */
function sortedAuc(pos: Float64Array, neg: Float64Array): number {
  const nPos = pos.length;
  const nNeg = neg.length;
  if (nPos === 0 || nNeg === 0) {
    throw new Error('ROC-AUC is undefined when only one class is present in y_true');
  }
  let i = 0;
  let j = 0;
  let rank = 0; // 0-based position of the current tie group's first row
  let rankSumPos = 0;
  while (i < nPos || j < nNeg) {
    const v = i < nPos && (j >= nNeg || pos[i] <= neg[j]) ? pos[i] : neg[j];
    let cp = 0;
    while (i < nPos && pos[i] === v) {
      i++;
      cp++;
    }
    let cn = 0;
    while (j < nNeg && neg[j] === v) {
      j++;
      cn++;
    }
    const avgRank = (rank + (rank + cp + cn - 1)) / 2 + 1; // ranks are 1-based
    for (let k = 0; k < cp; k++) rankSumPos += avgRank;
    rank += cp + cn;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** AUC of `scores` for the rows where `isPositive` is true against the others. */
export function binaryRocAuc(isPositive: ArrayLike<boolean | number>, scores: ArrayLike<number>): number {
  const n = scores.length;
  if (isPositive.length !== n) throw new Error('labels and scores differ in length');
  let nPos = 0;
  for (let i = 0; i < n; i++) if (isPositive[i]) nPos++;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(n - nPos);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (isPositive[i]) pos[p++] = scores[i];
    else neg[q++] = scores[i];
  }
  // Typed-array sort is numeric and native: no comparator closure over an index array.
  return sortedAuc(pos.sort(), neg.sort());
}

export type MultiClass = 'ovo' | 'ovr';

function checkAllClassesPresent(yTrue: Labels, nClasses: number): void {
  const seen = new Uint8Array(nClasses);
  for (let i = 0; i < yTrue.length; i++) {
    const k = yTrue[i];
    if (!(k >= 0 && k < nClasses)) throw new Error(`y_true row ${i + 1}: class code ${k} out of range`);
    seen[k] = 1;
  }
  const missing = seen.indexOf(0);
  if (missing >= 0) {
    throw new Error(
      `ROC-AUC: class ${missing} is absent from y_true; every one of the ${nClasses} score columns needs rows`,
    );
  }
}

/**
 * Macro ROC-AUC. Two classes: the binary AUC of column 1. More: one-vs-one (default, as the reference)
 * or one-vs-rest.
 */
export function rocAuc(
  yTrue: Labels,
  proba: Float64Array,
  nClasses: number,
  multiClass: MultiClass = 'ovo',
): number {
  const n = yTrue.length;
  if (proba.length !== n * nClasses) throw new Error('proba must have y_true.length × n_classes values');
  checkAllClassesPresent(yTrue, nClasses);
  const col = (k: number, rows: ArrayLike<number>): Float64Array =>
    Float64Array.from(rows, (i) => proba[i * nClasses + k]);
  if (nClasses === 2) {
    const all = Array.from({ length: n }, (_, i) => i);
    return binaryRocAuc(
      Array.from(yTrue, (y) => y === 1),
      col(1, all),
    );
  }
  if (multiClass === 'ovr') {
    let sum = 0;
    for (let k = 0; k < nClasses; k++) {
      const scores = new Float64Array(n);
      for (let i = 0; i < n; i++) scores[i] = proba[i * nClasses + k];
      sum += binaryRocAuc(
        Array.from(yTrue, (y) => y === k),
        scores,
      );
    }
    return sum / nClasses;
  }
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < n; i++) byClass[yTrue[i]].push(i);
  // The scores of class c's rows on column k, sorted once and shared by every pair that needs them.
  const sorted = new Map<number, Float64Array>();
  const scoresOf = (c: number, k: number): Float64Array => {
    let s = sorted.get(c * nClasses + k);
    if (!s) sorted.set(c * nClasses + k, (s = col(k, byClass[c]).sort()));
    return s;
  };
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < nClasses; a++) {
    for (let b = a + 1; b < nClasses; b++) {
      sum += (sortedAuc(scoresOf(a, a), scoresOf(b, a)) + sortedAuc(scoresOf(b, b), scoresOf(a, b))) / 2;
      pairs++;
    }
  }
  return sum / pairs;
}
