import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  SignatureError,
  enforceSignature,
  exportModel,
  fitInferencePipeline,
  loadModelExport,
  selectRows,
  tableFromRecords,
  tableFromSplit,
} from '../../src/ml/index';
import { SPEC, syntheticTable } from './synthetic';

const data = syntheticTable(240, 9);
const example = selectRows(data, [0, 1, 2]);
const TIME = '2026-01-01 00:00:00.000000';

interface MLmodelDoc {
  artifact_path: string;
  model_uuid: string;
  utc_time_created: string;
  flavors: {
    temporal_ml_pipeline: { model_file: string; format_version: number; engine: string };
    onnx: { data: string; providers: string[] };
    python_function: Record<string, unknown>;
  };
  saved_input_example_info: { pandas_orient: string };
  signature: { inputs: string };
}

void test('exportModel writes the MLflow layout; loadModelExport gives identical predictions', async () => {
  const p = await fitInferencePipeline(data, {
    ...SPEC,
    random_forest: { engine: 'native', n_estimators: 6, max_depth: 4, random_state: 2 },
  });
  const root = await mkdtemp(join(tmpdir(), 'mlexport-'));
  try {
    const plot = join(root, 'cm.svg');
    await writeFile(plot, '<svg/>');
    const dir = join(root, 'model_export');
    const res = await exportModel(p, dir, {
      inputExample: example,
      metrics: { val_auc_ovo: 0.9, val_accuracy: 0.7 },
      extraFiles: [{ path: 'plots/confusion_matrix.svg', source: plot }],
      environment: { workflow: 'wf-1' },
      utcTimeCreated: TIME,
      runId: 'wf-1',
    });
    assert.deepEqual(res.files, [
      'MLmodel',
      'conda.yaml',
      'environment.json',
      'input_example.json',
      'metrics.json',
      'model.mlpm',
      'model.onnx',
      'plots/confusion_matrix.svg',
      'python_env.yaml',
      'requirements.txt',
      'serving_input_example.json',
    ]);
    assert.deepEqual((await readdir(dir)).sort(), [
      'MLmodel',
      'conda.yaml',
      'environment.json',
      'input_example.json',
      'metrics.json',
      'model.mlpm',
      'model.onnx',
      'plots',
      'python_env.yaml',
      'requirements.txt',
      'serving_input_example.json',
    ]);
    const ml = parseYaml(await readFile(join(dir, 'MLmodel'), 'utf8')) as MLmodelDoc;
    assert.equal(ml.artifact_path, 'model');
    assert.equal(ml.flavors.temporal_ml_pipeline.model_file, 'model.mlpm');
    assert.equal(ml.flavors.temporal_ml_pipeline.format_version, 1);
    assert.equal(ml.flavors.temporal_ml_pipeline.engine, 'native');
    // MLflow's own flavors, so that mlflow.pyfunc / mlflow models serve load model.onnx.
    assert.deepEqual(ml.flavors.python_function, {
      data: 'model.onnx',
      env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
      loader_module: 'mlflow.onnx',
      python_version: '3.11',
    });
    assert.equal(ml.flavors.onnx.data, 'model.onnx');
    assert.deepEqual(ml.flavors.onnx.providers, ['CPUExecutionProvider']);
    assert.equal(res.onnxSize, (await readFile(join(dir, 'model.onnx'))).length);
    assert.match(await readFile(join(dir, 'requirements.txt'), 'utf8'), /^onnxruntime>=/m);
    assert.equal(ml.model_uuid, res.digest.slice(0, 32));
    assert.equal(ml.utc_time_created, TIME);
    assert.equal(ml.saved_input_example_info.pandas_orient, 'split');
    const inputs = JSON.parse(ml.signature.inputs);
    assert.deepEqual(inputs[0], { type: 'long', name: 'duration_ms', required: true });
    const ex = JSON.parse(await readFile(join(dir, 'input_example.json'), 'utf8'));
    assert.deepEqual(
      ex.columns,
      p.inputSchema.map((c) => c.name),
    );
    assert.equal(ex.data.length, 3);
    const serving = JSON.parse(await readFile(join(dir, 'serving_input_example.json'), 'utf8'));
    assert.deepEqual(serving.dataframe_split, ex);
    const env = JSON.parse(await readFile(join(dir, 'environment.json'), 'utf8'));
    assert.equal(env.runtime.node, process.version);
    assert.equal(typeof env.packages.hyparquet, 'string');
    assert.equal(env.workflow, 'wf-1');
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')), {
      val_accuracy: 0.7,
      val_auc_ovo: 0.9,
    });

    const loaded = await loadModelExport(dir);
    assert.equal(loaded.digest, res.digest);
    assert.deepEqual(loaded.signature.inputs, inputs);
    // The serving example, through signature enforcement, predicts like the original pipeline.
    const req = enforceSignature(tableFromSplit(serving.dataframe_split), loaded.signature);
    assert.deepEqual(loaded.pipeline.predictProba(req), p.predictProba(example));

    // Same pipeline + same time ⇒ byte-identical export.
    const dir2 = join(root, 'again');
    await exportModel(p, dir2, {
      inputExample: example,
      metrics: { val_auc_ovo: 0.9, val_accuracy: 0.7 },
      utcTimeCreated: TIME,
      runId: 'wf-1',
      environment: { workflow: 'wf-1' },
    });
    for (const f of [
      'MLmodel',
      'model.mlpm',
      'input_example.json',
      'serving_input_example.json',
      'environment.json',
      'metrics.json',
      'model.onnx',
    ]) {
      assert.deepEqual(await readFile(join(dir2, f)), await readFile(join(dir, f)), f);
    }
    // A non-empty target directory is refused and left as it was.
    await assert.rejects(exportModel(p, dir, { inputExample: example }), /already exists and is not empty/);
    // A tampered model file is detected.
    const mf = join(dir2, 'model.mlpm');
    const bytes = await readFile(mf);
    bytes[bytes.length - 1] ^= 1;
    await writeFile(mf, bytes);
    await assert.rejects(loadModelExport(dir2), /does not match MLmodel's model_digest/);
    await mkdir(join(root, 'empty'));
    await assert.rejects(loadModelExport(join(root, 'empty')), /cannot read MLmodel/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

void test('enforceSignature: missing column, extra columns, wrong types, integers for double', () => {
  const sig = [
    { name: 'x', type: 'double' as const },
    { name: 'k', type: 'long' as const },
    { name: 's', type: 'string' as const },
  ];
  const ok = enforceSignature([{ x: 1, k: 2, s: 'a', extra: true }], sig);
  assert.deepEqual(ok.names, ['x', 'k', 's']);
  assert.throws(
    () => enforceSignature([{ x: 1, s: 'a' }], sig, { source: 'request' }),
    (e: unknown) => e instanceof SignatureError && /request: missing column "k"/.test(e.message),
  );
  assert.throws(
    () => enforceSignature([{ x: 'one', k: 2, s: 'a' }], sig),
    /column "x" row 1: expected double, got string "one"/,
  );
  assert.throws(
    () => enforceSignature([{ x: 1, k: 2, s: 3 }], sig),
    /column "s" row 1: expected string, got number 3/,
  );
  // Tables (CSV / split orient): long accepted for double; integral doubles accepted for long.
  const t = tableFromRecords(
    [{ x: 1, k: 2.0, s: 'a' }],
    [
      { name: 'x', type: 'long' },
      { name: 'k', type: 'double' },
      { name: 's', type: 'string' },
    ],
  );
  const e = enforceSignature(t, sig);
  assert.equal(e.column('x').type, 'double');
  assert.equal(e.column('k').type, 'long');
  const wrong = tableFromRecords([{ x: 'a', k: 1, s: 'a' }]);
  assert.throws(() => enforceSignature(wrong, sig), /column "x" has type string, expected double/);
  const frac = tableFromRecords([{ x: 1, k: 1.5, s: 'a' }]);
  assert.throws(() => enforceSignature(frac, sig), /column "k" row 1: 1.5 is not a long/);
});

void test('an ml-random-forest export has no model.onnx and says why in its flavor', async () => {
  const p = await fitInferencePipeline(data, {
    ...SPEC,
    random_forest: { engine: 'ml-random-forest', n_estimators: 3, random_state: 2 },
  });
  const root = await mkdtemp(join(tmpdir(), 'mlexport-mlrf-'));
  try {
    const dir = join(root, 'model_export');
    const res = await exportModel(p, dir, { inputExample: example, utcTimeCreated: TIME });
    assert.equal(res.onnxSize, null);
    assert.ok(!res.files.includes('model.onnx'));
    const ml = parseYaml(await readFile(join(dir, 'MLmodel'), 'utf8')) as {
      flavors: Record<string, Record<string, unknown>>;
    };
    assert.deepEqual(Object.keys(ml.flavors), ['temporal_ml_pipeline']);
    assert.match(String(ml.flavors.temporal_ml_pipeline.onnx_unavailable), /ml-random-forest.*engine=native/);
    // The project's own loader still reads it.
    assert.equal((await loadModelExport(dir)).pipeline.engine, 'ml-random-forest');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
