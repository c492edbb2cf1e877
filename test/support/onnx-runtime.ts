/**
 * Scores a table with an exported `model.onnx` through ONNX Runtime (onnxruntime-node), feeding one
 * [N] tensor per signature column as the graph declares them: a missing number is NaN, a missing
 * string "" (an int64 tensor cannot hold a missing value: such a row is an error naming it).
 */
import * as ort from 'onnxruntime-node';
import { type Table } from '../../src/ml/index';

export interface OnnxScores {
  prediction: string[];
  /** Row-major, `proba[i * K + k]`, in the order of `classes`. */
  proba: Float64Array;
}

export async function openSession(model: string | Uint8Array): Promise<ort.InferenceSession> {
  return typeof model === 'string' ? ort.InferenceSession.create(model) : ort.InferenceSession.create(model);
}

export function feeds(
  session: ort.InferenceSession,
  table: Table,
  types: ReadonlyMap<string, string>,
): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  const n = table.nRows;
  for (const name of session.inputNames) {
    const col = table.column(name);
    const type = types.get(name);
    if (type === 'string') {
      const v = col.values as readonly (string | null)[];
      out[name] = new ort.Tensor(
        'string',
        Array.from({ length: n }, (_, i) => v[i] ?? ''),
        [n],
      );
    } else if (type === 'int64') {
      const v = col.values as Float64Array;
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        if (!Number.isInteger(v[i]))
          throw new Error(`column "${name}" row ${i + 1}: ${v[i]} is not an int64`);
        a[i] = BigInt(v[i]);
      }
      out[name] = new ort.Tensor('int64', a, [n]);
    } else {
      out[name] = new ort.Tensor('float64', Float64Array.from(col.values as Float64Array), [n]);
    }
  }
  return out;
}

export async function scoreOnnx(
  session: ort.InferenceSession,
  table: Table,
  inputs: readonly { name: string; type: string }[],
  classes: readonly string[],
): Promise<OnnxScores> {
  const types = new Map(inputs.map((i) => [i.name, i.type]));
  const res = await session.run(feeds(session, table, types));
  const K = classes.length;
  const n = table.nRows;
  const proba = new Float64Array(n * K);
  classes.forEach((c, k) => {
    const col = res[`proba_${c}`].data as Float64Array;
    for (let i = 0; i < n; i++) proba[i * K + k] = col[i];
  });
  return { prediction: Array.from(res.prediction.data as string[]), proba };
}
