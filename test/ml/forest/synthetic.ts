/** Small synthetic classification data for the forest tests (deterministic, no files). */
import type { FeatureMatrix } from '../../../src/ml/classifier';
import { Random } from '../../../src/ml/random';

export interface Synthetic {
  X: FeatureMatrix;
  y: Int32Array;
  classes: string[];
}

/**
 * Three classes around different centres in 4 informative + 2 noise features; `missingRate` of the
 * values of feature 0 are NaN, and feature 5 is constant.
 */
export function makeBlobs(nRows: number, seed: number, missingRate = 0.1): Synthetic {
  const rng = new Random(seed);
  const K = 3;
  const F = 6;
  const columns = Array.from({ length: F }, () => new Float64Array(nRows));
  const y = new Int32Array(nRows);
  const gauss = (): number => {
    const u = Math.max(rng.nextFloat(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
  };
  for (let i = 0; i < nRows; i++) {
    const c = i % K;
    y[i] = c;
    for (let f = 0; f < 4; f++) columns[f][i] = (f % K === c ? 1.5 : 0) + gauss();
    columns[4][i] = gauss();
    columns[5][i] = 7;
    if (rng.nextFloat() < missingRate) columns[0][i] = NaN;
  }
  return {
    X: { nRows, columns, names: ['a', 'b', 'c', 'd', 'noise', 'constant'] },
    y,
    classes: ['x', 'y', 'z'],
  };
}

export function accuracy(proba: Float64Array, y: Int32Array, K: number): number {
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (proba[i * K + k] > proba[i * K + best]) best = k;
    if (best === y[i]) correct++;
  }
  return correct / y.length;
}
