/** The value vectors that flow through transformer steps: numeric (NaN = missing) or string (null = missing). */

export type Values = Float64Array | readonly (string | null)[];
export type Category = number | string;

export function isNumeric(v: Values): v is Float64Array {
  return v instanceof Float64Array;
}

/** Code-point order, as Python sorts str (JS `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs === ys) return x - y;
      return xs ? 1 : -1; // a surrogate (code point ≥ U+10000) sorts after any BMP unit
    }
  }
  return a.length - b.length;
}

/** numpy's np.unique order: numbers ascending, strings by code point. */
export function compareCategories(a: Category, b: Category): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareCodePoints(String(a), String(b));
}

/** Distinct present values of a column, sorted. */
export function distinctSorted(v: Values): Category[] {
  const set = new Set<Category>();
  if (isNumeric(v)) {
    for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) set.add(v[i]);
  } else {
    for (const s of v) if (s !== null) set.add(s);
  }
  return [...set].sort(compareCategories);
}

/** Checks that a JSON state value is a finite number (state files are data, validated on load). */
export function stateNumber(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`invalid model state: ${what} is not a finite number`);
  return v;
}

export function stateCategories(v: unknown, what: string): Category[] {
  if (
    !Array.isArray(v) ||
    !v.every((c) => typeof c === 'string' || (typeof c === 'number' && Number.isFinite(c)))
  ) {
    throw new Error(`invalid model state: ${what} is not a list of categories`);
  }
  return v as Category[];
}
