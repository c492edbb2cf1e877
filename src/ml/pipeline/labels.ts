/** Class labels as strings, sorted like numpy's np.unique (code point order), and their integer codes. */
import { type Table } from '../table/table';
import { compareCodePoints } from '../transformers/values';

export interface EncodedLabels {
  classes: string[];
  codes: Int32Array;
}

/** The target column as strings; a missing value is an error naming the column and row. */
export function labelStrings(table: Table, target: string): string[] {
  if (!table.has(target)) throw new Error(`missing target column "${target}"`);
  const col = table.column(target);
  const out = new Array<string>(table.nRows);
  for (let i = 0; i < table.nRows; i++) {
    const v = col.values[i];
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) {
      throw new Error(`target column "${target}" row ${i + 1}: missing value`);
    }
    out[i] = String(v);
  }
  return out;
}

export function sortedClasses(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort(compareCodePoints);
}

/** Codes of `labels` in `classes` (sorted distinct labels when omitted); an unknown label names its row. */
export function encodeLabels(labels: readonly string[], classes?: readonly string[]): EncodedLabels {
  const cls = classes ? [...classes] : sortedClasses(labels);
  const index = new Map(cls.map((c, i) => [c, i]));
  const codes = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const k = index.get(labels[i]);
    if (k === undefined)
      throw new Error(`row ${i + 1}: unknown class ${JSON.stringify(labels[i])} (known: ${cls.join(', ')})`);
    codes[i] = k;
  }
  return { classes: cls, codes };
}

export function decodeLabels(codes: ArrayLike<number>, classes: readonly string[]): string[] {
  return Array.from(codes, (k) => classes[k]);
}

/** Row-wise argmax of row-major probabilities (first maximum wins, as numpy's argmax). */
export function argmaxRows(proba: Float64Array, nClasses: number): Int32Array {
  const n = proba.length / nClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bv = proba[i * nClasses];
    for (let k = 1; k < nClasses; k++) {
      const v = proba[i * nClasses + k];
      if (v > bv) {
        bv = v;
        best = k;
      }
    }
    out[i] = best;
  }
  return out;
}
