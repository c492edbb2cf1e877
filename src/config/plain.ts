/** Small helpers over plain JSON-like values (what YAML and override parsing produce). */

export type PlainObject = Record<string, unknown>;

export function isPlainObject(v: unknown): v is PlainObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Merges `patch` into a copy of `base`: objects merge key by key, anything else (lists included)
 * replaces. Where `replaces(path)` is true for a key's path, the patch's object replaces the base's
 * whole instead of merging into it. Neither argument is modified.
 */
export function deepMerge(
  base: unknown,
  patch: unknown,
  replaces: (path: readonly string[]) => boolean = () => false,
  path: readonly string[] = [],
): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch) || (path.length > 0 && replaces(path)))
    return structuredClone(patch);
  const out: PlainObject = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) {
    out[key] = key in out ? deepMerge(out[key], value, replaces, [...path, key]) : structuredClone(value);
  }
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}
