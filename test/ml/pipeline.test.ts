import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracy,
  encodeLabels,
  fitInferencePipeline,
  getEngine,
  labelStrings,
  rocAuc,
  selectRows,
  stratifiedSplit,
  tableFromRecords,
} from '../../src/ml/index';
import { SPEC, syntheticTable } from './synthetic';

const data = syntheticTable(450, 3);
const { train, test: holdout } = stratifiedSplit(data, { testSize: 0.3, stratify: 'genre', seed: 42 });
const yHold = (classes: readonly string[]): Int32Array =>
  encodeLabels(labelStrings(holdout, 'genre'), classes).codes;

void test('pipeline (native engine): schema, sorted classes, feature names, well above chance', async () => {
  const progress: number[] = [];
  const p = await fitInferencePipeline(
    train,
    { ...SPEC, random_forest: { n_estimators: 30, max_depth: 8, random_state: 7, n_jobs: 1 } },
    { onProgress: (q) => progress.push(q.done) },
  );
  assert.equal(p.engine, 'native');
  assert.deepEqual(p.classes, ['alpha', 'beta', 'gamma']);
  assert.deepEqual(p.inputSchema, [
    { name: 'duration_ms', type: 'long' },
    { name: 'energy', type: 'double' },
    { name: 'loudness', type: 'double' },
    { name: 'tempo', type: 'double' },
    { name: 'key', type: 'long' },
    { name: 'mode', type: 'long' },
    { name: 'title', type: 'string' },
  ]);
  assert.equal(p.featureNames.length, 4 + 2 + 6);
  assert.ok(p.featureNames.every((n) => /^(num|cat|nlp)__/.test(n)));
  assert.ok(progress.length > 0 && progress[progress.length - 1] === 30);
  const proba = p.predictProba(holdout);
  assert.equal(proba.length, holdout.nRows * 3);
  for (let i = 0; i < holdout.nRows; i++) {
    const s = proba[i * 3] + proba[i * 3 + 1] + proba[i * 3 + 2];
    assert.ok(Math.abs(s - 1) < 1e-9);
  }
  const y = yHold(p.classes);
  const acc = accuracy(y, encodeLabels(p.predict(holdout), p.classes).codes);
  assert.ok(acc > 0.6, `accuracy ${acc}`);
  assert.ok(rocAuc(y, proba, 3) > 0.8);
  const imp = p.featureImportances();
  assert.ok(Math.abs(imp.reduce((a, b) => a + b, 0) - 1) < 1e-9);
});

void test('predict time: unknown category, missing value and unseen token get defined encodings', async () => {
  const p = await fitInferencePipeline(train, {
    ...SPEC,
    random_forest: { engine: 'ml-random-forest', n_estimators: 10, max_depth: 6, random_state: 3 },
  });
  const odd = tableFromRecords(
    [
      {
        duration_ms: 200000,
        energy: null,
        loudness: null,
        tempo: 120,
        key: 99,
        mode: 7,
        title: 'zzz unseenword',
      },
      { duration_ms: 200000, energy: 0.5, loudness: -8, tempo: 120, key: 1, mode: 0, title: null },
    ],
    p.inputSchema,
  );
  const X = p.transform(odd);
  assert.equal(X.columns[p.featureNames.indexOf('cat__key')][0], -1);
  assert.ok(X.columns.every((c) => c.every((v) => Number.isFinite(v))));
  const proba = p.predictProba(odd);
  assert.ok(proba.every((v) => v >= 0 && v <= 1));
  assert.equal(p.predict(odd).length, 2);
});

void test('input validation: missing column and wrong type name the column', async () => {
  const p = await fitInferencePipeline(train, {
    ...SPEC,
    random_forest: { engine: 'ml-random-forest', n_estimators: 5, random_state: 3 },
  });
  assert.throws(
    () => p.predict(holdout.select(['energy', 'loudness'])),
    /missing feature column "duration_ms"/,
  );
  const bad = tableFromRecords([
    { duration_ms: 1, energy: 'high', loudness: 1, tempo: 1, key: 1, mode: 1, title: 'x' },
  ]);
  assert.throws(() => p.predict(bad), /feature column "energy" must be numeric/);
});

void test('fit errors: missing target, single class, bad hyperparameter named, unknown engine', async () => {
  const rf = { engine: 'ml-random-forest', n_estimators: 5 };
  await assert.rejects(
    fitInferencePipeline(train, { ...SPEC, target: 'nope', random_forest: rf }),
    /missing target column "nope"/,
  );
  const one = selectRows(
    train,
    Uint32Array.from(train.strings('genre').flatMap((g, i) => (g === 'alpha' ? [i] : []))),
  );
  await assert.rejects(fitInferencePipeline(one, { ...SPEC, random_forest: rf }), /single class "alpha"/);
  await assert.rejects(
    fitInferencePipeline(train, { ...SPEC, random_forest: { ...rf, class_weight: 'balanced' } }),
    /random_forest.class_weight: "balanced" is not supported by the ml-random-forest engine/,
  );
  await assert.rejects(
    fitInferencePipeline(train, { ...SPEC, random_forest: { ...rf, n_trees: 3 } }),
    /random_forest.n_trees: unknown hyperparameter/,
  );
  await assert.rejects(
    fitInferencePipeline(train, { ...SPEC, random_forest: { engine: 'native', max_depth: -3 } }),
    /max_depth/,
  );
  assert.throws(() => getEngine('xgboost'), /random_forest.engine: unknown engine "xgboost"/);
  await assert.rejects(
    fitInferencePipeline(train, {
      ...SPEC,
      features: { ...SPEC.features, nlp: ['energy'] },
      random_forest: rf,
    }),
    /features: column "energy" is listed twice/,
  );
});

void test('ml-random-forest and native engines: both well above chance and close to each other', async () => {
  const common = { n_estimators: 25, max_depth: 8, random_state: 11, max_features: 'sqrt' };
  const native = await fitInferencePipeline(train, {
    ...SPEC,
    random_forest: { ...common, engine: 'native' },
  });
  const mlrf = await fitInferencePipeline(train, {
    ...SPEC,
    random_forest: { ...common, engine: 'ml-random-forest' },
  });
  const y = yHold(native.classes);
  const aucNative = rocAuc(y, native.predictProba(holdout), 3);
  const aucMlrf = rocAuc(y, mlrf.predictProba(holdout), 3);
  const accNative = accuracy(y, encodeLabels(native.predict(holdout), native.classes).codes);
  const accMlrf = accuracy(y, encodeLabels(mlrf.predict(holdout), mlrf.classes).codes);
  // Chance is AUC 0.5 and accuracy 1/3.
  assert.ok(aucNative > 0.8 && aucMlrf > 0.75, `AUC native ${aucNative}, ml-random-forest ${aucMlrf}`);
  assert.ok(accNative > 0.55 && accMlrf > 0.5, `accuracy native ${accNative}, ml-random-forest ${accMlrf}`);
  assert.ok(Math.abs(aucNative - aucMlrf) < 0.1, `AUC gap ${aucNative - aucMlrf}`);
  assert.ok(Math.abs(accNative - accMlrf) < 0.15, `accuracy gap ${accNative - accMlrf}`);
});

void test('an aborted fit rejects', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    fitInferencePipeline(
      train,
      { ...SPEC, random_forest: { engine: 'ml-random-forest', n_estimators: 5 } },
      { signal: ac.signal },
    ),
  );
});
