/**
 * model.onnx through ONNX Runtime (onnxruntime-node) against the native pipeline: labels identical,
 * probabilities within 1e-6, on the reference test split (when ../shared has it), the bundled sample,
 * public tables (penguins: missing values; cars: free text and missing values) and a synthetic table,
 * each also with missing values, unknown categories and unseen words put in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { exampleConfigPath } from '../../src/config/project-root';
import {
  OnnxExportError,
  fitInferencePipeline,
  parseCsv,
  pipelineToOnnx,
  readTable,
  tableFromRecords,
} from '../../src/ml/index';
import { sampleGenresCsv } from '../../src/sample-data/index';
import { TABLES } from '../../bench/tables/catalogue';
import { fetchTable } from '../../bench/tables/fetch';
import { fitAndCompare, type ParityResult } from '../support/onnx-parity';
import { openSession, scoreOnnx } from '../support/onnx-runtime';
import { SPEC, syntheticTable } from './synthetic';

/** ../shared beside the checkout (CI's layout), else the workplace's shared folder. */
const REFERENCE =
  [join(__dirname, '../../../shared/data/genres_mod.parquet'), '/work/shared/data/genres_mod.parquet'].find(
    (p) => existsSync(p),
  ) ?? '../shared/data/genres_mod.parquet';
const TOLERANCE = 1e-6;

function assertParity(what: string, r: ParityResult): void {
  console.log(
    `${what}: ${r.rows} rows, ${r.labelMismatches} label mismatches, max |Δp| ${r.maxProbaDiff.toExponential(2)}` +
      (r.rowsWithMissingIntegers
        ? `, ${r.rowsWithMissingIntegers} rows with a missing integer left out`
        : '') +
      `, model.onnx ${r.onnxBytes} bytes`,
  );
  assert.ok(r.rows > 0, `${what}: no rows scored`);
  assert.equal(r.labelMismatches, 0, `${what}: labels differ`);
  assert.ok(r.maxProbaDiff <= TOLERANCE, `${what}: probabilities differ by ${r.maxProbaDiff}`);
}

void test('ONNX parity: synthetic table (numbers, integer categories, text with missing values)', async () => {
  const config = loadConfig({
    overrides: [
      'data.target=genre',
      'random_forest_pipeline.random_forest.n_estimators=30',
      'random_forest_pipeline.features={numerical: [energy, loudness, tempo, duration_ms], categorical: [key, mode], nlp: [title]}',
    ],
  });
  const table = syntheticTable(900, 4);
  assertParity('synthetic', await fitAndCompare(table, config));
  assertParity('synthetic, perturbed', await fitAndCompare(table, config, { perturb: true }));
});

void test('ONNX parity: the bundled sample data, with the reference config (joined text feature)', async () => {
  const table = parseCsv(sampleGenresCsv({ rows: 8000, seed: 42 }));
  const config = loadConfig({ path: exampleConfigPath('genres') });
  assertParity('sample:genres', await fitAndCompare(table, config));
  assertParity('sample:genres, perturbed', await fitAndCompare(table, config, { perturb: true }));
});

void test(
  'ONNX parity: the reference dataset test split',
  { skip: !existsSync(REFERENCE) && `${REFERENCE} is absent` },
  async () => {
    const config = loadConfig({ path: exampleConfigPath('genres') });
    const table = await readTable(REFERENCE);
    assertParity('genres_mod', await fitAndCompare(table, config));
    assertParity('genres_mod, perturbed', await fitAndCompare(table, config, { perturb: true }));
  },
);

for (const name of ['penguins', 'cars']) {
  void test(`ONNX parity: public table ${name}`, async (t) => {
    const entry = TABLES.find((x) => x.name === name);
    assert.ok(entry, `${name} is not in bench/tables/catalogue.ts`);
    let csv: string;
    try {
      csv = fetchTable(entry, join(__dirname, '../../.mlpipe/bench-data')).csv;
    } catch (err) {
      if (process.env.CI) throw err;
      t.skip(
        `cannot fetch ${entry.origin.registry} ${entry.origin.name}: ${(err as Error).message.slice(0, 200)}`,
      );
      return;
    }
    const config = loadConfig({
      overrides: [
        `data.target=${entry.target}`,
        `main.project_name=${name}`,
        'random_forest_pipeline.random_forest.n_estimators=50',
      ],
    });
    const table = parseCsv(readFileSync(csv));
    assertParity(name, await fitAndCompare(table, config));
    assertParity(`${name}, perturbed`, await fitAndCompare(table, config, { perturb: true }));
  });
}

void test('ONNX: case, accents and tokens as the native text track reads them', async () => {
  const docs = ['École Été', 'ÉCOLE été', 'naïve CAFÉ', 'über_x mixed-Case 42', 'a b c', 'ÜBER café', 'x'];
  const rows = Array.from({ length: 60 }, (_, i) => ({
    text: docs[i % docs.length],
    y: i % docs.length < 3 ? 'a' : 'b',
  }));
  const p = await fitInferencePipeline(tableFromRecords(rows), {
    target: 'y',
    features: { numerical: [], categorical: [], nlp: ['text'] },
    tfidf: { max_features: null },
    random_forest: { n_estimators: 5, random_state: 1 },
  });
  const ox = pipelineToOnnx(p);
  const s = await openSession(ox.bytes);
  const probe = tableFromRecords(
    ['ÉCOLE', 'école été', 'CAFÉ naïve', 'ÜBER_X', 'MIXED case 42', '', null, 'None', 'Ω'].map((text) => ({
      text,
    })),
    p.inputSchema,
  );
  const onnx = await scoreOnnx(s, probe, ox.inputs, p.classes);
  const native = p.predictProba(probe);
  for (let i = 0; i < native.length; i++)
    assert.ok(Math.abs(native[i] - onnx.proba[i]) <= TOLERANCE, `value ${i}`);
  assert.deepEqual(onnx.prediction, p.predict(probe));
});

void test('ONNX: splits between values that float32 cannot tell apart keep their decisions (double thresholds)', async () => {
  // x differs by 1e-9 between rows: in float32 every x is 1, in double the classes are separable.
  const rows = Array.from({ length: 200 }, (_, i) => ({
    x: 1 + (i % 100) * 1e-9,
    y: i % 100 < 50 ? 'lo' : 'hi',
  }));
  const table = tableFromRecords(rows);
  const p = await fitInferencePipeline(table, {
    target: 'y',
    features: { numerical: ['x'], categorical: [], nlp: [] },
    tfidf: { max_features: null },
    random_forest: { n_estimators: 10, random_state: 3 },
  });
  const ox = pipelineToOnnx(p);
  const onnx = await scoreOnnx(await openSession(ox.bytes), table, ox.inputs, p.classes);
  const labels = p.predict(table);
  assert.deepEqual(onnx.prediction, labels);
  // The forest does separate them, so a float32 threshold would have changed decisions.
  assert.ok(labels.filter((l, i) => l === rows[i].y).length >= 190);
  const native = p.predictProba(table);
  for (let i = 0; i < native.length; i++) assert.ok(Math.abs(native[i] - onnx.proba[i]) <= TOLERANCE);
});

void test('ONNX: an ml-random-forest model is refused with a message naming the engine and the fix', async () => {
  const p = await fitInferencePipeline(syntheticTable(120, 3), {
    ...SPEC,
    random_forest: { engine: 'ml-random-forest', n_estimators: 3, random_state: 1 },
  });
  assert.throws(
    () => pipelineToOnnx(p),
    (err: unknown) => {
      assert.ok(err instanceof OnnxExportError);
      assert.match(err.message, /ml-random-forest/);
      assert.match(err.message, /engine=native/);
      return true;
    },
  );
});

void test('ONNX: a joined text feature whose separator has a word character is refused', async () => {
  const table = tableFromRecords(
    Array.from({ length: 40 }, (_, i) => ({ a: `w${i % 4} x`, b: `v${i % 3}`, y: i % 2 ? 'p' : 'q' })),
  );
  const p = await fitInferencePipeline(table, {
    target: 'y',
    features: { numerical: [], categorical: [], nlp: ['ab'] },
    tfidf: { max_features: null },
    random_forest: { n_estimators: 3, random_state: 1 },
    text_features: [{ name: 'ab', columns: ['a', 'b'], separator: '_' }],
  });
  assert.throws(() => pipelineToOnnx(p), /separator "_" has a word character/);
});
