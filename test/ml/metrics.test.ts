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
