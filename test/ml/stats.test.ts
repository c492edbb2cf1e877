import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kolmogornSf, ks2samp } from '../../src/ml/index';

const rel = (a: number, b: number, tol: number): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(Math.abs(b), 1e-300), `${a} vs ${b}`);

// Expected values are scipy 1.10.1's stats.ks_2samp / stats.kstwo.sf for the same inputs.

void test('ks_2samp exact (small samples): statistic and p-value as scipy', () => {
  const r = ks2samp([1, 2, 3, 4, 5], [3, 4, 5, 6, 7]);
  assert.equal(r.statistic, 0.4);
  rel(r.pvalue, 0.873015873015873, 1e-12);
  assert.equal(r.method, 'exact');
  const ties = ks2samp([1, 1, 2, 2, 3, 3, 3, 4], [2, 2, 3, 5, 5, 6]);
  assert.equal(ties.statistic, 0.5);
  rel(ties.pvalue, 0.30169830169830175, 1e-12);
  // Unequal sizes (lattice-path counting).
  const a = Array.from({ length: 40 }, (_, i) => ((i * 37) % 41) / 41);
  const b = Array.from({ length: 60 }, (_, i) => (((i * 53) % 61) / 61) ** 0.5);
  const u = ks2samp(a, b);
  assert.equal(u.method, 'exact');
  rel(u.statistic, 0.26666666666666666, 1e-12);
  rel(u.pvalue, 0.05765479465617178, 1e-10);
  const a3 = Array.from({ length: 300 }, (_, i) => ((i * 7) % 300) / 300);
  const b3 = Array.from({ length: 500 }, (_, i) => (((i * 11) % 500) / 500) ** 1.1);
  const r3 = ks2samp(a3, b3);
  rel(r3.statistic, 0.03666666666666667, 1e-12);
  rel(r3.pvalue, 0.9553730445908265, 1e-10);
});

void test('ks_2samp asymptotic (more than 10,000 values) matches scipy', () => {
  const a = Array.from({ length: 12000 }, (_, i) => ((i * 7919) % 10007) / 10007);
  const b = Array.from({ length: 15000 }, (_, i) => (((i * 104729) % 10009) / 10009) * 1.01);
  const r = ks2samp(a, b);
  assert.equal(r.method, 'asymp');
  rel(r.statistic, 0.010399999999999965, 1e-12);
  rel(r.pvalue, 0.46348118709204933, 1e-9);
  const a2 = Array.from({ length: 30000 }, (_, i) => ((i * 7919) % 10007) / 10007);
  const c = Array.from({ length: 50 }, (_, i) => ((i * 7919) % 10007) / 10007);
  const r2 = ks2samp(c, a2);
  rel(r2.statistic, 0.04036666666666666, 1e-12);
  rel(r2.pvalue, 0.9999858708330265, 1e-9);
});

void test('kstwo.sf across the regimes scipy switches between', () => {
  const cases: [number, number, number][] = [
    [10, 0.3, 0.27053557479999946],
    [50, 0.1, 0.6623112704658186],
    [100, 0.05, 0.9532159710635725],
    [100, 0.2, 0.0005551927327988775],
    [120, 0.15, 0.008029227977457063],
    [500, 0.05, 0.15866260223815365],
    [5000, 0.01, 0.6954557253913853],
    [5000, 0.02, 0.03613941395325637],
    [20000, 0.005, 0.6974088406327613],
    [20000, 0.012, 0.006251252284121751],
    [150000, 0.003, 0.1341018124495077],
    [30, 0.7, 2.9314301190865507e-15],
    [3, 0.4, 0.5946666666666665],
  ];
  for (const [n, x, p] of cases) rel(kolmogornSf(n, x), p, 1e-9);
});

void test('ks_2samp NaN policy: propagate (scipy default), omit, raise', () => {
  assert.ok(Number.isNaN(ks2samp([1, NaN, 3], [1, 2]).pvalue));
  assert.equal(ks2samp([1, NaN, 2], [1, 2], { nanPolicy: 'omit' }).statistic, 0);
  assert.throws(() => ks2samp([NaN], [1], { nanPolicy: 'raise' }), /contains NaN/);
  assert.throws(() => ks2samp([], [1]), /non-empty/);
});
