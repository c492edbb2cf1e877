import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracy,
  argmaxRows,
  binaryRocAuc,
  confusionMatrix,
  encodeLabels,
  logLoss,
  macroF1,
  normalizeConfusionMatrix,
  rocAuc,
} from '../../src/ml/index';

const near = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// Expected values are scikit-learn 1.2.1's for the same inputs.
const yt = Int32Array.from([0, 1, 2, 2, 1, 0, 2, 1, 0, 1]);
const P = Float64Array.from(
  [
    [0.3, 0.4, 0.3],
    [0.2, 0.5, 0.3],
    [0.1, 0.3, 0.6],
    [0.3, 0.3, 0.4],
    [0.4, 0.4, 0.2],
    [0.5, 0.25, 0.25],
    [0.2, 0.5, 0.3],
    [0.3, 0.4, 0.3],
    [0.6, 0.3, 0.1],
    [0.1, 0.8, 0.1],
  ].flat(),
);

void test('binary ROC-AUC with tied scores uses average ranks (sklearn 0.8125)', () => {
  near(binaryRocAuc([0, 0, 1, 1, 1, 0, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2]), 0.8125);
  near(
    rocAuc(Int32Array.from([0, 1, 0, 1]), Float64Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7]), 2),
    1,
  );
  assert.throws(() => binaryRocAuc([1, 1], [0.2, 0.3]), /only one class/);
});

void test('multiclass ROC-AUC one-vs-one and one-vs-rest macro match sklearn', () => {
  near(rocAuc(yt, P, 3, 'ovo'), 0.8981481481481483);
  near(rocAuc(yt, P, 3, 'ovr'), 0.8958333333333331);
  assert.throws(
    () => rocAuc(Int32Array.from([0, 1]), Float64Array.from([1, 0, 0, 0, 1, 0]), 3),
    /class 2 is absent/,
  );
});

void test('argmax (first maximum), accuracy, macro F1, confusion matrices, log loss match sklearn', () => {
  const yp = argmaxRows(P, 3);
  assert.deepEqual(Array.from(yp), [1, 1, 2, 2, 0, 0, 1, 1, 0, 1]);
  near(accuracy(yt, yp), 0.7);
  near(macroF1(yt, yp), 0.7111111111111109);
  near(macroF1([0, 0, 1, 1], [0, 2, 1, 1]), 0.5555555555555555);
  const cm = confusionMatrix(yt, yp, 3);
  assert.deepEqual(cm, [
    [2, 1, 0],
    [1, 3, 0],
    [0, 1, 2],
  ]);
  assert.deepEqual(normalizeConfusionMatrix(cm), [
    [2 / 3, 1 / 3, 0],
    [0.25, 0.75, 0],
    [0, 1 / 3, 2 / 3],
  ]);
  near(logLoss(yt, P, 3), 0.7787906964240419);
});

void test('label encoding: sorted classes, unknown label names its row', () => {
  const e = encodeLabels(['trap', 'Emo', 'dnb', 'Emo']);
  assert.deepEqual(e.classes, ['Emo', 'dnb', 'trap']);
  assert.deepEqual(Array.from(e.codes), [2, 0, 1, 0]);
  assert.throws(() => encodeLabels(['x', 'y'], ['x']), /row 2: unknown class "y"/);
});

/** The rank-sum AUC over one index array sorted by a comparator: the plain version the fast one replaced. */
function naiveAuc(isPositive: readonly boolean[], scores: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (isPositive[order[k]]) {
        nPos++;
        rankSumPos += avgRank;
      }
    }
    i = j + 1;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * (n - nPos));
}

void test('ROC-AUC: the sorted-merge kernel equals the plain rank sum bit for bit, ties and OvO included', () => {
  let seed = 7;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const n = 3000;
  const nClasses = 5;
  const y = Int32Array.from({ length: n }, () => Math.floor(rand() * nClasses));
  // Scores on a coarse grid, so that many tie, with a few negative zeros among the zeros.
  const proba = Float64Array.from({ length: n * nClasses }, (_, i) =>
    i % 97 === 0 ? -0 : Math.round(rand() * 20) / 20,
  );
  for (let k = 0; k < nClasses; k++) {
    const scores = Float64Array.from({ length: n }, (_, i) => proba[i * nClasses + k]);
    const isK = Array.from(y, (c) => c === k);
    assert.ok(Object.is(binaryRocAuc(isK, scores), naiveAuc(isK, scores)), `class ${k}`);
  }
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < nClasses; a++)
    for (let b = a + 1; b < nClasses; b++) {
      const rows = Array.from({ length: n }, (_, i) => i).filter((i) => y[i] === a || y[i] === b);
      const on = (k: number) => Float64Array.from(rows, (i) => proba[i * nClasses + k]);
      sum +=
        (naiveAuc(
          rows.map((i) => y[i] === a),
          on(a),
        ) +
          naiveAuc(
            rows.map((i) => y[i] === b),
            on(b),
          )) /
        2;
      pairs++;
    }
  assert.ok(Object.is(rocAuc(y, proba, nClasses, 'ovo'), sum / pairs));
});
