/**
 * SimpleImputer (scikit-learn): replaces missing values by a statistic of the fitted column.
 * median and mean need a numeric column; most_frequent breaks ties by the smallest value (as sklearn);
 * constant uses fill_value (default 0 for numbers, "missing_value" for strings, as sklearn).
 */
import { type Category, type Values, compareCategories, isNumeric } from './values';

export type ImputeStrategy = 'median' | 'mean' | 'most_frequent' | 'constant';

export interface SimpleImputerSpec {
  kind: 'simple_imputer';
  strategy: ImputeStrategy;
  fill_value?: number | string;
}

export interface SimpleImputerState {
  kind: 'simple_imputer';
  strategy: ImputeStrategy;
  fill: number | string;
}

export class FittedSimpleImputer {
  readonly kind = 'simple_imputer';
  readonly width = 1;
  constructor(
    readonly strategy: ImputeStrategy,
    readonly fill: number | string,
  ) {}

  transform(v: Values, column: string): Values[] {
    if (isNumeric(v)) {
      if (typeof this.fill !== 'number') {
        throw new Error(`column "${column}": imputer was fitted on strings, got a numeric column`);
      }
      const out = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) out[i] = Number.isNaN(v[i]) ? this.fill : v[i];
      return [out];
    }
    if (typeof this.fill !== 'string') {
      throw new Error(`column "${column}": imputer was fitted on numbers, got a string column`);
    }
    const fill = this.fill;
    return [v.map((s) => (s === null ? fill : s))];
  }

  featureNames(column: string): string[] {
    return [column];
  }

  toState(): SimpleImputerState {
    return { kind: this.kind, strategy: this.strategy, fill: this.fill };
  }

  static fromState(s: SimpleImputerState): FittedSimpleImputer {
    if (typeof s.fill !== 'string' && !(typeof s.fill === 'number' && Number.isFinite(s.fill))) {
      throw new Error('invalid model state: simple_imputer fill');
    }
    return new FittedSimpleImputer(s.strategy, s.fill);
  }
}

/** The non-missing values, in order (a plain loop: a filter callback runs cold per value). */
function presentValues(v: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === x) out[n++] = x;
  }
  return out.subarray(0, n);
}

/** The median of values without NaN (numpy's: the mean of the two middle values when n is even). */
export function median(xs: Float64Array): number {
  const s = Float64Array.from(xs);
  const n = s.length;
  const hi = n >> 1;
  // Selection, not a sort: the fit runs this on every numeric column before the forest can start.
  select(s, hi);
  if (n % 2 === 1) return s[hi];
  // After selecting hi, everything before it is <= s[hi]; the lower middle is the largest of those.
  let lo = s[0];
  for (let i = 1; i < hi; i++) if (s[i] > lo) lo = s[i];
  return (lo + s[hi]) / 2;
}

/**
 * Reorders `a` so that a[k] holds the value a sort would put there, everything before it is <= a[k]
 * and everything after it >= a[k] (Hoare's quickselect, median-of-three pivots; -0 and 0 compare
 * equal, as they do in the sorted order's arithmetic).
 */
function select(a: Float64Array, k: number): void {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const mid = (left + right) >>> 1;
    // Median of three to the middle, so sorted or constant runs do not degrade to quadratic time.
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function mostFrequent(v: Values): Category {
  const counts = new Map<Category, number>();
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === null || (typeof x === 'number' && Number.isNaN(x))) continue;
    counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  let best: Category | undefined;
  let bestCount = -1;
  for (const [k, c] of counts) {
    if (c > bestCount || (c === bestCount && compareCategories(k, best as Category) < 0)) {
      best = k;
      bestCount = c;
    }
  }
  return best as Category;
}

export function fitSimpleImputer(v: Values, spec: SimpleImputerSpec, column: string): FittedSimpleImputer {
  const numeric = isNumeric(v);
  switch (spec.strategy) {
    case 'median':
    case 'mean': {
      if (!numeric) throw new Error(`column "${column}": strategy "${spec.strategy}" needs a numeric column`);
      const present = presentValues(v);
      if (present.length === 0)
        throw new Error(`column "${column}": no values to compute the ${spec.strategy}`);
      const stat =
        spec.strategy === 'median' ? median(present) : present.reduce((a, b) => a + b, 0) / present.length;
      return new FittedSimpleImputer(spec.strategy, stat);
    }
    case 'most_frequent': {
      const mode = mostFrequent(v);
      if (mode === undefined) throw new Error(`column "${column}": no values to find the most frequent`);
      return new FittedSimpleImputer(spec.strategy, mode);
    }
    case 'constant': {
      const fill = spec.fill_value ?? (numeric ? 0 : 'missing_value');
      if (numeric !== (typeof fill === 'number')) {
        throw new Error(
          `column "${column}": fill_value ${JSON.stringify(fill)} does not match the column's type`,
        );
      }
      return new FittedSimpleImputer(spec.strategy, fill);
    }
    default:
      throw new Error(`unknown imputer strategy ${JSON.stringify(spec.strategy)}`);
  }
}
