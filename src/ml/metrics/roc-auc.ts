/**
 * ROC-AUC as scikit-learn computes it: binary AUC is the Mann–Whitney statistic with tied scores given
 * their average rank (identical to sklearn's trapezoidal curve with ties); multiclass one-vs-one macro
 * averages, over each pair (a, b), the mean of AUC(a vs b on score a) and AUC(b vs a on score b)
 * (Hand & Till, sklearn's multi_class="ovo"); one-vs-rest macro averages AUC(k vs rest on score k).
 */
import { type Labels } from './classification';

/** AUC of `scores` for the rows where `isPositive` is true against the others. */
export function binaryRocAuc(isPositive: ArrayLike<boolean | number>, scores: ArrayLike<number>): number {
  const n = scores.length;
  if (isPositive.length !== n) throw new Error('labels and scores differ in length');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) {
      if (isPositive[order[k]]) {
        nPos++;
        rankSumPos += avgRank;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new Error('ROC-AUC is undefined when only one class is present in y_true');
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
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
  const all = Array.from({ length: n }, (_, i) => i);
  if (nClasses === 2)
    return binaryRocAuc(
      Array.from(yTrue, (y) => y === 1),
      col(1, all),
    );
  if (multiClass === 'ovr') {
    let sum = 0;
    for (let k = 0; k < nClasses; k++)
      sum += binaryRocAuc(
        Array.from(yTrue, (y) => y === k),
        col(k, all),
      );
    return sum / nClasses;
  }
  const byClass: number[][] = Array.from({ length: nClasses }, () => []);
  for (let i = 0; i < n; i++) byClass[yTrue[i]].push(i);
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < nClasses; a++) {
    for (let b = a + 1; b < nClasses; b++) {
      const rows = [...byClass[a], ...byClass[b]];
      const isA = rows.map((i) => yTrue[i] === a);
      const isB = rows.map((i) => yTrue[i] === b);
      sum += (binaryRocAuc(isA, col(a, rows)) + binaryRocAuc(isB, col(b, rows))) / 2;
      pairs++;
    }
  }
  return sum / pairs;
}
