/**
 * Classification metrics with scikit-learn's definitions, on integer class codes (0..K-1) and row-major
 * probabilities (`proba[i * K + k]`).
 */

export type Labels = ArrayLike<number>;

function checkSameLength(a: Labels, b: Labels): void {
  if (a.length !== b.length) throw new Error(`y_true has ${a.length} rows, y_pred has ${b.length}`);
  if (a.length === 0) throw new Error('metrics need at least one row');
}

export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkSameLength(yTrue, yPred);
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return ok / yTrue.length;
}

/** K×K counts: row = true class, column = predicted class. */
export function confusionMatrix(yTrue: Labels, yPred: Labels, nClasses: number): number[][] {
  checkSameLength(yTrue, yPred);
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]] += 1;
  return m;
}

/** Rows normalised to sum 1 (sklearn's normalize="true"); an empty row stays zeros. */
export function normalizeConfusionMatrix(m: readonly (readonly number[])[]): number[][] {
  return m.map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (s === 0 ? 0 : v / s));
  });
}

/**
 * Macro F1 over the labels present in y_true or y_pred (sklearn's default `labels`); a class with no
 * predicted and no true rows is absent; zero division gives 0 (sklearn's zero_division="warn" value).
 */
export function macroF1(yTrue: Labels, yPred: Labels): number {
  checkSameLength(yTrue, yPred);
  const tp = new Map<number, number>();
  const nTrue = new Map<number, number>();
  const nPred = new Map<number, number>();
  for (let i = 0; i < yTrue.length; i++) {
    nTrue.set(yTrue[i], (nTrue.get(yTrue[i]) ?? 0) + 1);
    nPred.set(yPred[i], (nPred.get(yPred[i]) ?? 0) + 1);
    if (yTrue[i] === yPred[i]) tp.set(yTrue[i], (tp.get(yTrue[i]) ?? 0) + 1);
  }
  const labels = new Set([...nTrue.keys(), ...nPred.keys()]);
  let sum = 0;
  for (const k of labels) {
    const t = tp.get(k) ?? 0;
    const denom = (nTrue.get(k) ?? 0) + (nPred.get(k) ?? 0);
    sum += denom === 0 ? 0 : (2 * t) / denom;
  }
  return sum / labels.size;
}

/** Mean negative log-likelihood; probabilities clipped to [eps, 1 − eps] and rows renormalised (sklearn). */
export function logLoss(yTrue: Labels, proba: Float64Array, nClasses: number, eps = 1e-15): number {
  if (proba.length !== yTrue.length * nClasses)
    throw new Error('proba must have y_true.length × n_classes values');
  if (yTrue.length === 0) throw new Error('metrics need at least one row');
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    let s = 0;
    for (let k = 0; k < nClasses; k++) s += Math.min(Math.max(proba[i * nClasses + k], eps), 1 - eps);
    const p = Math.min(Math.max(proba[i * nClasses + yTrue[i]], eps), 1 - eps) / s;
    total -= Math.log(p);
  }
  return total / yTrue.length;
}
