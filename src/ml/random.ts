/**
 * Seeded pseudo-random generator (xoshiro128**, seeded through splitmix32). It is an object passed
 * explicitly to whoever needs randomness, so results never depend on module state, call order across
 * threads, or how many workers run.
 */
export class Random {
  /**
   * The four state words. An Int32Array keeps them unboxed: V8 stores only 31-bit integers in an
   * object field as they are, so a field holding a 32-bit state word needed a new heap number on
   * most updates (bootstrap sampling drew ≈ 25 ns per index that way).
   */
  private readonly s = new Int32Array(4);

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`Random seed must be an integer in [0, 2^32), got ${JSON.stringify(seed)}`);
    }
    // splitmix32 spreads a small seed over the 128-bit state; a zero state is impossible this way.
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.s[i] = next();
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const s = this.s;
    const s0 = s[0];
    const s1 = s[1];
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const s2 = s[2] ^ s0;
    const s3 = s[3] ^ s1;
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ t;
    s[3] = rotl(s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n), n ≤ 2^32. Rejection sampling keeps it unbiased. */
  nextInt(n: number): number {
    if (n <= 1) return 0;
    const limit = 4294967296 - (4294967296 % n);
    let u = this.nextUint32();
    while (u >= limit) u = this.nextUint32();
    return u % n;
  }
}

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_32 = 1 / TWO_POW_32;

/**
 * Lemire's nearly divisionless unbiased integer in [0, n): one multiplication in the common case,
 * where nextInt pays a modulo per draw. Exact for n <= 2^21 (the product stays below 2^53); larger n
 * falls back to nextInt. A different stream from nextInt, so the two are not interchangeable.
 */
export function nextIndex(rng: Random, n: number): number {
  if (n > 2097152) return rng.nextInt(n);
  let m = rng.nextUint32() * n;
  let low = m - Math.floor(m * TWO_POW_MINUS_32) * TWO_POW_32;
  if (low < n) {
    const threshold = (TWO_POW_32 - n) % n;
    while (low < threshold) {
      m = rng.nextUint32() * n;
      low = m - Math.floor(m * TWO_POW_MINUS_32) * TWO_POW_32;
    }
  }
  return Math.floor(m * TWO_POW_MINUS_32);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Draws `count` independent 32-bit seeds from one master seed, up front and in index order, so that
 * seed i is the same however the consumers (e.g. trees) are later scheduled.
 */
export function deriveSeeds(masterSeed: number, count: number): Uint32Array {
  const rng = new Random(masterSeed);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.nextUint32();
  return out;
}
