import { test } from 'node:test';
import { fitInferencePipeline, tableFromRecords } from '../src/ml/index';
import { pipelineToOnnx } from '../src/ml/onnx/index';
import { SPEC, syntheticTable } from './ml/synthetic';
import { openSession, scoreOnnx } from './support/onnx-runtime';

void test('edges', async () => {
  const data = syntheticTable(600, 9);
  const p = await fitInferencePipeline(data, { ...SPEC, random_forest: { engine: 'native', n_estimators: 20, random_state: 2 } });
  const ox = pipelineToOnnx(p);
  const s = await openSession(ox.bytes);
  const rows = [
    { energy: null, loudness: null, tempo: 1e9, duration_ms: 1, key: 99, mode: 7, title: null },
    { energy: 1, loudness: 2, tempo: 3, duration_ms: 4, key: 3, mode: 1, title: 'SUN Bright ÉCOLE naïve über_x a 12 ' },
    { energy: 1, loudness: 2, tempo: 3, duration_ms: 4, key: 3, mode: 1, title: 'Rain-GREY,cloud!! zzzunseen' },
    { energy: 1, loudness: 2, tempo: 3, duration_ms: 4, key: 3, mode: 1, title: '' },
  ];
  for (const set of [rows, [rows[0]], [rows[3]], [rows[0], rows[3]], [rows[1]]]) {
    const t = tableFromRecords(set, p.inputSchema);
    try {
      const r = await scoreOnnx(s, t, ox.inputs, p.classes);
      const native = p.predictProba(t);
      let maxd = 0;
      for (let i = 0; i < native.length; i++) maxd = Math.max(maxd, Math.abs(native[i] - r.proba[i]));
      console.log(set.length, 'maxdiff', maxd, r.prediction.join(','), p.predict(t).join(','));
    } catch (e) { console.log(set.length, 'ERR', (e as Error).message.slice(0, 300)); }
  }
});
