import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modelDigest, nativeForestEngine } from '../../../src/ml/forest';
import {
  type TreeArrays,
  compileForest,
  concatTrees,
  predictBinned,
  predictRowNaive,
} from '../../../src/ml/forest/predictor';
import { fromModelData } from '../../../src/ml/forest/serialize';
import { prepareForestFit } from '../../../src/ml/forest/forest';
import { accuracy, makeBlobs } from './synthetic';

const base = { n_estimators: 12, max_depth: 8, random_state: 7 };

void describe('native forest engine', () => {
  const train = makeBlobs(900, 1);
  const test = makeBlobs(600, 2);

  void it('learns well above chance and reports normalised importances', async () => {
    const m = await nativeForestEngine.fit(
      train.X,
      train.y,
      { ...base, class_weight: 'balanced' },
      { classes: train.classes },
    );
    const proba = m.predictProba(test.X);
    assert.equal(proba.length, 600 * 3);
    for (let i = 0; i < 600; i++) {
      const s = proba[i * 3] + proba[i * 3 + 1] + proba[i * 3 + 2];
      assert.ok(Math.abs(s - 1) < 1e-9, `row ${i} probabilities sum to ${s}`);
    }
    assert.ok(accuracy(proba, test.y, 3) > 0.7, 'accuracy well above 1/3');
    const imp = m.featureImportances();
    assert.ok(Math.abs(imp.reduce((a, x) => a + x, 0) - 1) < 1e-9);
    assert.equal(imp[5], 0, 'a constant feature is never used');
    assert.ok(imp[4] < imp[1], 'noise matters less than an informative feature');
  });

  void it('is byte-identical across n_jobs and runs (model digest)', async () => {
    const fit = async (nJobs: number) =>
      modelDigest(
        (
          await nativeForestEngine.fit(
            train.X,
            train.y,
            { ...base, n_jobs: nJobs },
            { classes: train.classes },
          )
        ).toModelData(),
      );
    const a = await fit(1);
    const b = await fit(2);
    const c = await fit(1);
    assert.equal(a, b, 'n_jobs 1 vs 2');
    assert.equal(a, c, 'two runs');
    const other = modelDigest(
      (
        await nativeForestEngine.fit(
          train.X,
          train.y,
          { ...base, random_state: 8 },
          { classes: train.classes },
        )
      ).toModelData(),
    );
    assert.notEqual(a, other, 'another random_state gives another model');
    const withOob = async (nJobs: number) => {
      const m = await nativeForestEngine.fit(
        train.X,
        train.y,
        { ...base, oob_score: true, n_jobs: nJobs },
        { classes: train.classes },
      );
      return [modelDigest(m.toModelData()), m.oobScore];
    };
    assert.deepEqual(await withOob(1), await withOob(2), 'oob_score too');
  });

  void it('round-trips through ModelData with bit-identical predictions', async () => {
    const m = await nativeForestEngine.fit(
      train.X,
      train.y,
      { ...base, oob_score: true },
      { classes: train.classes },
    );
    const data = m.toModelData();
    // Simulate a file: copy every array into fresh buffers and the header through JSON.
    const copy = {
      header: JSON.parse(JSON.stringify(data.header)) as Record<string, unknown>,
      arrays: Object.fromEntries(Object.entries(data.arrays).map(([k, a]) => [k, a.slice()])),
    };
    const loaded = nativeForestEngine.load(copy);
    assert.deepEqual(
      Buffer.from(loaded.predictProba(test.X).buffer),
      Buffer.from(m.predictProba(test.X).buffer),
    );
    assert.equal(modelDigest(loaded.toModelData()), modelDigest(data));
    assert.equal(loaded.oobScore, m.oobScore);
    assert.ok(m.oobScore !== undefined && m.oobScore > 0.6, `oob score ${m.oobScore}`);
  });

  void it('rejects damaged model data with a message naming the field', async () => {
    const m = await nativeForestEngine.fit(train.X, train.y, base, { classes: train.classes });
    const data = m.toModelData();
    const child = (data.arrays.child as Int32Array).slice();
    child[0] = 0; // a node pointing to itself would loop forever
    assert.throws(
      () => nativeForestEngine.load({ ...data, arrays: { ...data.arrays, child } }),
      /arrays\.child/,
    );
    assert.throws(
      () => nativeForestEngine.load({ ...data, header: { ...data.header, format_version: 99 } }),
      /format_version/,
    );
  });

  void it('predicts rows with missing values in any feature, including ones never missing in training', async () => {
    const clean = makeBlobs(600, 3, 0);
    const m = await nativeForestEngine.fit(clean.X, clean.y, base, { classes: clean.classes });
    const X = {
      nRows: 2,
      names: clean.X.names,
      columns: clean.X.columns.map(() => new Float64Array([NaN, NaN])),
    };
    X.columns[1][1] = 3;
    const p = m.predictProba(X);
    assert.ok(p.every((v) => Number.isFinite(v)));
    assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-9);
    assert.ok(p[4] > p[3] && p[4] > p[5], 'the informative value still decides');
  });

  void it('supports the other criteria, best-first growth and the other class weights', async () => {
    for (const extra of [
      { criterion: 'entropy' },
      { criterion: 'log_loss', max_features: null },
      { max_leaf_nodes: 10 },
      { class_weight: 'balanced_subsample', max_samples: 0.5 },
      { class_weight: { x: 2, z: 0.5 }, bootstrap: false },
      { min_samples_leaf: 5, min_weight_fraction_leaf: 0.01, min_impurity_decrease: 0.001 },
    ]) {
      const m = await nativeForestEngine.fit(
        train.X,
        train.y,
        { ...base, ...extra },
        { classes: train.classes },
      );
      const acc = accuracy(m.predictProba(test.X), test.y, 3);
      assert.ok(acc > 0.7, `${JSON.stringify(extra)}: accuracy ${acc}`);
    }
    const leafy = await nativeForestEngine.fit(
      train.X,
      train.y,
      { ...base, max_leaf_nodes: 5 },
      { classes: train.classes },
    );
    const d = leafy.toModelData();
    const leaves = (d.arrays.feature as Int32Array).filter((f) => f < 0).length;
    assert.ok(leaves <= 5 * base.n_estimators, `${leaves} leaves`);
  });

  void it('reports progress per tree and can be cancelled', async () => {
    const seen: number[] = [];
    await nativeForestEngine.fit(
      train.X,
      train.y,
      { ...base, n_jobs: 2 },
      {
        classes: train.classes,
        onProgress: (p) => seen.push(p.done),
      },
    );
    assert.deepEqual(
      seen,
      Array.from({ length: base.n_estimators }, (_, i) => i + 1),
    );

    const ac = new AbortController();
    const big = { ...base, n_estimators: 400, max_depth: null };
    const started = nativeForestEngine.fit(train.X, train.y, big, {
      classes: train.classes,
      signal: ac.signal,
      onProgress: (p) => {
        if (p.done === 2) ac.abort();
      },
    });
    await assert.rejects(started, (e: Error) => e.name === 'AbortError');
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(
      nativeForestEngine.fit(train.X, train.y, base, { classes: train.classes, signal: pre.signal }),
      (e: Error) => e.name === 'AbortError',
    );
  });
});

void describe('prepared fit (workers started before the data)', () => {
  const train = makeBlobs(900, 1);

  void it('gives the same model as a plain fit, whether its workers have booted or not', async () => {
    const plain = modelDigest(
      (await nativeForestEngine.fit(train.X, train.y, base, { classes: train.classes })).toModelData(),
    );
    for (const nJobs of [1, 2]) {
      const prepared = prepareForestFit({ ...base, n_jobs: nJobs });
      // Give the workers time to boot first, so the job reaches running workers.
      await new Promise((r) => setTimeout(r, 150));
      try {
        const m = await prepared.fit(train.X, train.y, { classes: train.classes });
        assert.equal(modelDigest(m.toModelData()), plain, `n_jobs ${nJobs}`);
        await assert.rejects(prepared.fit(train.X, train.y, { classes: train.classes }), /runs once/);
      } finally {
        await prepared.dispose();
      }
    }
  });

  void it('reports a bad hyperparameter from fit, and disposing an unused one stops its workers', async () => {
    const bad = prepareForestFit({ ...base, n_jobs: 0 });
    await assert.rejects(bad.fit(train.X, train.y, { classes: train.classes }), /n_jobs/);
    await bad.dispose();
    const unused = prepareForestFit({ ...base, n_jobs: 2 });
    await unused.dispose(); // the test run would not end if a worker were left running
  });
});

void describe('flat predictor', () => {
  void it('matches the naive one-row-at-a-time walk bit for bit', async () => {
    const train = makeBlobs(500, 4);
    const test = makeBlobs(300, 5, 0.3);
    const m = await nativeForestEngine.fit(
      train.X,
      train.y,
      { n_estimators: 7, random_state: 1 },
      { classes: train.classes },
    );
    const forest = fromModelData(m.toModelData()).forest;
    const fast = m.predictProba(test.X);
    for (let i = 0; i < test.X.nRows; i++) {
      const naive = predictRowNaive(
        forest,
        test.X.columns.map((c) => c[i]),
      );
      assert.deepEqual(Array.from(fast.subarray(i * 3, i * 3 + 3)), naive, `row ${i}`);
    }
  });

  void it('gives the same bits with single-word and general node layouts, missing values included', async () => {
    // 130 features (> 128) force the general layout; the first 6 are the informative blobs.
    const wide = (d: ReturnType<typeof makeBlobs>, seed: number) => {
      const extra = Array.from({ length: 124 }, (_, j) =>
        Float64Array.from(d.X.columns[j % 4], (v, i) => ((i * 7 + j * 13 + seed) % 11 === 0 ? NaN : v + j)),
      );
      const columns = [...d.X.columns, ...extra];
      return { nRows: d.X.nRows, columns, names: columns.map((_, j) => `f${j}`) };
    };
    const train = makeBlobs(400, 8, 0.2);
    const test = makeBlobs(203, 9, 0.3);
    const X = wide(train, 1);
    const T = wide(test, 2);
    const m = await nativeForestEngine.fit(
      X,
      train.y,
      { n_estimators: 9, random_state: 3 },
      { classes: train.classes },
    );
    const forest = fromModelData(m.toModelData()).forest;
    const general = compileForest(forest);
    assert.equal(general.packed, null, 'more than 128 features use the general layout');
    const generalP = predictBinned(general, T.columns, T.nRows);
    for (let i = 0; i < T.nRows; i++) {
      const naive = predictRowNaive(
        forest,
        T.columns.map((c) => c[i]),
      );
      assert.deepEqual(Array.from(generalP.subarray(i * 3, i * 3 + 3)), naive, `general, row ${i}`);
    }
    const small = await nativeForestEngine.fit(
      train.X,
      train.y,
      { n_estimators: 9, random_state: 3 },
      { classes: train.classes },
    );
    const smallForest = fromModelData(small.toModelData()).forest;
    const packed = compileForest(smallForest);
    assert.notEqual(packed.packed, null, 'few features and small trees use single words');
    // The general layout does not depend on the feature count, so one built for "200 features"
    // walks this forest too.
    const forced = { ...packed, packed: null, wide: compileForest({ ...smallForest, nFeatures: 200 }).wide };
    const a = predictBinned(packed, test.X.columns, test.X.nRows);
    const b = predictBinned(forced, test.X.columns, test.X.nRows);
    assert.deepEqual(Array.from(a), Array.from(b));
    for (let i = 0; i < test.X.nRows; i++) {
      const naive = predictRowNaive(
        smallForest,
        test.X.columns.map((c) => c[i]),
      );
      assert.deepEqual(Array.from(a.subarray(i * 3, i * 3 + 3)), naive, `single-word, row ${i}`);
    }
  });

  void it('adds leaves one entry per pair when class indices need 16 bits (> 32768 classes)', () => {
    // Two stumps on one feature (edge 0.5); leaves hold classes above 32767, an odd and an even count.
    const K = 40000;
    const forest = concatTrees(
      [
        stump([5, 39999, 20000], [0.25, 0.5, 0.25], [39998], [1]),
        stump([32768, 7], [0.75, 0.25], [0, 1, 2, 39999], [0.125, 0.125, 0.25, 0.5]),
      ],
      K,
      1,
      [Float64Array.of(0.5)],
    );
    const x = [0.2, 0.9, NaN, 0.5, 0.7, -1];
    const p = predictBinned(compileForest(forest), [Float64Array.from(x)], x.length);
    x.forEach((v, i) => {
      const naive = predictRowNaive(forest, [v]);
      assert.deepEqual(Array.from(p.subarray(i * K, (i + 1) * K)), naive, `row ${i}`);
    });
  });
});

/** A one-split tree on feature 0 at threshold 0.5 (missing values go left), leaves given sparsely. */
function stump(
  leftClass: number[],
  leftValue: number[],
  rightClass: number[],
  rightValue: number[],
): TreeArrays {
  return {
    feature: Int32Array.of(0, -1, -1),
    threshold: Float64Array.of(0.5, 0, 0),
    binThreshold: Uint8Array.of(0, 0, 0),
    missingLeft: Uint8Array.of(1, 0, 0),
    child: Int32Array.of(1, 0, 1),
    leafStart: Uint32Array.of(0, leftClass.length, leftClass.length + rightClass.length),
    leafClass: Uint16Array.from([...leftClass, ...rightClass]),
    leafValue: Float64Array.from([...leftValue, ...rightValue]),
    importance: Float64Array.of(1),
  };
}
