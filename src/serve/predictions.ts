/**
 * Turns row-major class probabilities into predictions. The predicted class is the first class with the
 * highest probability, as scikit-learn's RandomForestClassifier.predict does (argmax of predict_proba).
 */

export interface ProbabilisticPrediction {
  class: string;
  probabilities: Record<string, number>;
}

/** Index of the predicted class of each row. */
export function argmaxRows(proba: Float64Array, nRows: number, nClasses: number): Int32Array {
  const out = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const base = i * nClasses;
    let best = 0;
    let bestP = proba[base];
    for (let k = 1; k < nClasses; k++) {
      const p = proba[base + k];
      if (p > bestP) {
        bestP = p;
        best = k;
      }
    }
    out[i] = best;
  }
  return out;
}

export function classPredictions(proba: Float64Array, nRows: number, classes: readonly string[]): string[] {
  const best = argmaxRows(proba, nRows, classes.length);
  const out = new Array<string>(nRows);
  for (let i = 0; i < nRows; i++) out[i] = classes[best[i]];
  return out;
}

export function probabilisticPredictions(
  proba: Float64Array,
  nRows: number,
  classes: readonly string[],
): ProbabilisticPrediction[] {
  const nClasses = classes.length;
  const best = argmaxRows(proba, nRows, nClasses);
  const out = new Array<ProbabilisticPrediction>(nRows);
  for (let i = 0; i < nRows; i++) {
    // fromEntries defines own properties, so a class literally named `__proto__` stays a plain key.
    const probabilities = Object.fromEntries(classes.map((c, k) => [c, proba[i * nClasses + k]]));
    out[i] = { class: classes[best[i]], probabilities };
  }
  return out;
}
