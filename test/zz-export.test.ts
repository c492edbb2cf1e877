import { test } from 'node:test';
import { exportModel, fitInferencePipeline, selectRows } from '../src/ml/index';
import { SPEC, syntheticTable } from './ml/synthetic';
import { rmSync } from 'node:fs';
void test('x', async () => {
  const data = syntheticTable(600, 9);
  const p = await fitInferencePipeline(data, { ...SPEC, random_forest: { engine: 'native', n_estimators: 20, random_state: 2 } });
  rmSync('/tmp/onnx-exp', { recursive: true, force: true });
  await exportModel(p, '/tmp/onnx-exp', { inputExample: selectRows(data, [0, 1, 2]) });
});
