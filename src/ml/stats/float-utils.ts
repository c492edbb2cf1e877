/** Exponent bookkeeping used by the KS distributions to keep huge/tiny intermediates in range. */

/** Binary exponent e with |x| = m·2^e, 0.5 ≤ m < 1 (C's frexp; 0 for x = 0). */
export function frexpExponent(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  let e = Math.floor(Math.log2(Math.abs(x))) + 1;
  // log2 can be off by one near powers of two.
  const m = Math.abs(x) / 2 ** e;
  if (m >= 1) e += 1;
  else if (m < 0.5) e -= 1;
  return e;
}

/** x·2^e without overflowing the intermediate power. */
export function ldexp(x: number, e: number): number {
  let r = x;
  let k = e;
  while (k > 1000) {
    r *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    r *= 2 ** -1000;
    k += 1000;
  }
  return r * 2 ** k;
}

/** numpy's np.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}

const LOG_FACT_SMALL: number[] = (() => {
  const t = [0];
  for (let k = 1; k <= 32; k++) t.push(t[k - 1] + Math.log(k));
  return t;
})();

/** ln(k!) : exact sums below 33, Stirling's series beyond (error < 1e-15 relative). */
export function logFactorial(k: number): number {
  if (k <= 32) return LOG_FACT_SMALL[k];
  const x = k + 1;
  const x2 = x * x;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    0.5 * Math.log(2 * Math.PI) +
    (1 / 12 - (1 / 360 - (1 / 1260 - 1 / (1680 * x2)) / x2) / x2) / x
  );
}
