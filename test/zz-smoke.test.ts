import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { fitInferencePipeline } from '../src/ml/index';
import { pipelineToOnnx } from '../src/ml/onnx/index';
import { SPEC, syntheticTable } from '../test/ml/synthetic';
import { openSession, scoreOnnx } from '../test/support/onnx-runtime';

void test('smoke', async () => {
  const data = syntheticTable(600, 9);
  const p = await fitInferencePipeline(data, { ...SPEC, random_forest: { engine: 'native', n_estimators: 20, random_state: 2 } });
  const t0 = Date.now();
  const ox = pipelineToOnnx(p);
  console.log('convert ms', Date.now() - t0, 'bytes', ox.bytes.length, ox.inputs);
  writeFileSync('/tmp/smoke.onnx', ox.bytes);
  const s = await openSession(ox.bytes);
  const r = await scoreOnnx(s, data, ox.inputs, p.classes);
  const native = p.predictProba(data);
  const labels = p.predict(data);
  let maxd = 0, bad = 0;
  for (let i = 0; i < native.length; i++) maxd = Math.max(maxd, Math.abs(native[i] - r.proba[i]));
  for (let i = 0; i < labels.length; i++) if (labels[i] !== r.prediction[i]) bad++;
  console.log('maxdiff', maxd, 'label mismatches', bad, r.prediction.slice(0, 5), labels.slice(0, 5));
});
