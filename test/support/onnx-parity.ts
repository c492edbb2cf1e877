/**
 * Parity of model.onnx with the native pipeline, as a run would fit it: the config's feature plan and
 * model spec, a seeded split, the pipeline fitted on the train part, then the test part (and a copy
 * of it with missing values, unknown categories and unseen words put in) scored both ways.
 */
import { type PipelineConfig } from '../../src/config';
import { datasetTarget, featurePlan, modelSpec, stratifyColumn } from '../../src/activities/dataset';
import { splitTable } from '../../src/activities/model-metrics';
import {
  type InferencePipeline,
  type Table,
  fitInferencePipeline,
  pipelineToOnnx,
  selectRows,
} from '../../src/ml/index';
import { openSession, scoreOnnx } from './onnx-runtime';

export interface ParityResult {
  rows: number;
  labelMismatches: number;
  maxProbaDiff: number;
  /** Rows left out because an integer (int64) input was missing there, which ONNX cannot carry. */
  rowsWithMissingIntegers: number;
  onnxBytes: number;
  pipeline: InferencePipeline;
}

/** The rows of `table` with no missing value in a `long` input (an int64 tensor has no NaN). */
function rowsOnnxCanCarry(p: InferencePipeline, table: Table): Uint32Array {
  const longs = p.inputSchema.filter((c) => c.type === 'long').map((c) => table.numeric(c.name));
  const keep: number[] = [];
  for (let i = 0; i < table.nRows; i++) if (longs.every((v) => v[i] === v[i])) keep.push(i);
  return Uint32Array.from(keep);
}

/**
 * A copy of `table` where every third row has a missing value in each double or string input, every
 * third (offset 1) an unknown category or a text of unseen words (with upper case and accents), so
 * that every imputer, encoder and the text track meet what they never saw.
 */
export function perturbed(p: InferencePipeline, table: Table): Table {
  let out = table;
  for (const c of p.inputSchema) {
    const col = table.column(c.name);
    if (c.type === 'string') {
      const v = (col.values as readonly (string | null)[]).map((s, i) =>
        i % 3 === 0 ? null : i % 3 === 1 ? `Zzq UNSEEN-Wörds École ${i}` : s,
      );
      out = out.withColumn({ name: c.name, type: 'string', values: v });
    } else {
      const src = col.values as Float64Array;
      const v = Float64Array.from(src, (x, i) =>
        i % 3 === 0 && c.type === 'double' ? NaN : i % 3 === 1 ? 987654 : x,
      );
      out = out.withColumn({ name: c.name, type: c.type, values: v });
    }
  }
  return out;
}

export async function fitAndCompare(
  table: Table,
  config: PipelineConfig,
  opts: { perturb?: boolean } = {},
): Promise<ParityResult> {
  const target = datasetTarget(config, table);
  const { train, test } = splitTable(
    table,
    config.data.test_size,
    stratifyColumn(config, target),
    config.main.random_seed,
  );
  const plan = featurePlan(config, train, target);
  const p = await fitInferencePipeline(train, modelSpec(config, plan));
  const ox = pipelineToOnnx(p);
  const session = await openSession(ox.bytes);
  const scored = opts.perturb ? perturbed(p, test) : test;
  const keep = rowsOnnxCanCarry(p, scored);
  const rows = selectRows(scored, keep);
  const native = p.predictProba(rows);
  const labels = p.predict(rows);
  const onnx = await scoreOnnx(session, rows, ox.inputs, p.classes);
  let maxProbaDiff = 0;
  for (let i = 0; i < native.length; i++)
    maxProbaDiff = Math.max(maxProbaDiff, Math.abs(native[i] - onnx.proba[i]));
  let labelMismatches = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== onnx.prediction[i]) labelMismatches++;
  await session.release();
  return {
    rows: rows.nRows,
    labelMismatches,
    maxProbaDiff,
    rowsWithMissingIntegers: scored.nRows - keep.length,
    onnxBytes: ox.bytes.length,
    pipeline: p,
  };
}
