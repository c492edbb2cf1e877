/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as scipy.stats.ks_2samp with method="auto": the exact
 * null distribution when both samples have at most 10,000 values (Hodges' lattice-path counts), else
 * the asymptotic kstwo.sf(D, round(n·m/(n+m))). No well-kept npm package provides the two-sample test
 * (@stdlib has only the one-sample kstest), so this follows scipy's algorithm step by step.
 */
import { frexpExponent, gcd, ldexp, roundHalfEven } from './float-utils';
import { kolmogornSf } from './kolmogorov';

export type KsMethod = 'auto' | 'exact' | 'asymp';
export type NanPolicy = 'propagate' | 'omit' | 'raise';

export interface KsResult {
  statistic: number;
  pvalue: number;
  /** The value at which the ECDFs differ most, and the sign of ECDF1 − ECDF2 there. */
  statisticLocation: number;
  statisticSign: 1 | -1;
  method: 'exact' | 'asymp';
}

const MAX_AUTO_N = 10000;

/** Proportion of lattice paths (0,0)→(m,n) staying strictly inside |x/m − y/n| < h/lcm. */
function probInside(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  let A = new Float64Array(lenA);
  for (let j = minj; j < maxj; j++) A[j] = 1;
  let expnt = 0;
  const tmp = new Float64Array(lenA);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 0;
    let s = 0;
    const w = maxj - minj;
    for (let j = 0; j < w; j++) {
      const src = minj - lastminj + j;
      s += src < A.length ? A[src] : 0;
      tmp[j] = s;
    }
    for (let j = 0; j < w; j++) A[j] = tmp[j];
    curlen = w;
    if (lastlen > curlen) for (let j = w; j < w + (lastlen - curlen) && j < A.length; j++) A[j] = 0;
    const val = A[w - 1];
    let e = frexpExponent(val);
    if (e > 900) {
      e -= 800;
      A = A.map((a) => ldexp(a, -e));
      expnt += e;
    }
  }
  let val = A[maxj - minj - 1];
  for (let i = 1; i <= n; i++) {
    val = (val * i) / (m + i);
    const e = frexpExponent(val);
    if (e < -128) {
      val = ldexp(val, -e);
      expnt += e;
    }
  }
  return ldexp(val, expnt);
}

/** P(D_{n,n} ≥ h/n) for equal sample sizes (Horner-like alternating sum). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

function exactPvalue(n1: number, n2: number, g: number, d: number): { ok: boolean; d: number; p: number } {
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dd = h / lcm;
  if (h === 0) return { ok: true, d: dd, p: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : 1 - probInside(n1, n2, g, h);
  return { ok: Number.isFinite(p) && p >= 0 && p <= 1, d: dd, p };
}

function clean(xs: ArrayLike<number>, policy: NanPolicy, which: string): Float64Array | null {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (Number.isNaN(v)) {
      if (policy === 'raise') throw new Error(`ks_2samp: ${which} contains NaN`);
      if (policy === 'propagate') return null;
      continue;
    }
    out.push(v);
  }
  return Float64Array.from(out).sort();
}

export function ks2samp(
  data1: ArrayLike<number>,
  data2: ArrayLike<number>,
  opts: { method?: KsMethod; nanPolicy?: NanPolicy } = {},
): KsResult {
  const policy = opts.nanPolicy ?? 'propagate';
  const a = clean(data1, policy, 'data1');
  const b = clean(data2, policy, 'data2');
  if (a === null || b === null) {
    return { statistic: NaN, pvalue: NaN, statisticLocation: NaN, statisticSign: 1, method: 'asymp' };
  }
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('ks_2samp: both samples must be non-empty');
  // ECDF difference at every observed value (searchsorted side="right"), by one merge pass.
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  let locMax = NaN;
  let locMin = NaN;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] <= v) i++;
    while (j < n2 && b[j] <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) {
      maxS = diff;
      locMax = v;
    }
    if (diff < minS) {
      minS = diff;
      locMin = v;
    }
  }
  const minD = Math.min(Math.max(-minS, 0), 1);
  let d: number;
  let loc: number;
  let sign: 1 | -1;
  if (minD > maxS) {
    d = minD;
    loc = locMin;
    sign = -1;
  } else {
    d = maxS;
    loc = locMax;
    sign = 1;
  }
  const g = gcd(n1, n2);
  let method: 'exact' | 'asymp' =
    (opts.method ?? 'auto') === 'auto'
      ? Math.max(n1, n2) <= MAX_AUTO_N
        ? 'exact'
        : 'asymp'
      : (opts.method as 'exact' | 'asymp');
  let p = NaN;
  if (method === 'exact') {
    const r = exactPvalue(n1, n2, g, d);
    d = r.d;
    if (r.ok) p = r.p;
    else method = 'asymp';
  }
  if (method === 'asymp') {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    p = kolmogornSf(roundHalfEven(en), d);
  }
  return {
    statistic: d,
    pvalue: Math.min(1, Math.max(0, p)),
    statisticLocation: loc,
    statisticSign: sign,
    method,
  };
}
