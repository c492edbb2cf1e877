/**
 * npm run bench:onnx — the exported model.onnx through ONNX Runtime (onnxruntime-node, CPU) next to
 * the native predictor, on the same fitted pipeline and rows, in one process (ratios, since the
 * machine is noisy): batch throughput over the test split, single-row latency (p50 / p99), the
 * sizes of model.onnx and model.mlpm and the conversion time. The reference data when it is beside
 * the project (../shared/data/genres_mod.parquet), else the bundled sample. Appends a line to
 * bench/history/onnx.jsonl.
 *   --json            print the result as one JSON object
 *   --threads N       ONNX Runtime's intra-op threads (default 1: one core, as the native figure)
 *   --rounds N        batch rounds per engine (default 5)
 */
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadConfig } from '../src/config';
import { exampleConfigPath } from '../src/config/project-root';
import { datasetTarget, featurePlan, modelSpec, stratifyColumn } from '../src/activities/dataset';
import { splitTable } from '../src/activities/model-metrics';
import {
  fitInferencePipeline,
  parseCsv,
  pipelineToOnnx,
  readTable,
  selectRows,
  serializeModel,
} from '../src/ml/index';
import { sampleGenresCsv } from '../src/sample-data/index';
import { feeds } from '../test/support/onnx-runtime';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const json = args.includes('--json');
const threads = flag('--threads', 1);
const rounds = flag('--rounds', 5);
const SINGLE_ROWS = 1000;

const REFERENCE = [
  join(__dirname, '../../shared/data/genres_mod.parquet'),
  '/work/shared/data/genres_mod.parquet',
].find((p) => existsSync(p));

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function main(): Promise<void> {
  const config = loadConfig({ path: exampleConfigPath('genres') });
  const data = REFERENCE ? await readTable(REFERENCE) : parseCsv(sampleGenresCsv({ rows: 8000, seed: 42 }));
  const target = datasetTarget(config, data);
  const { train, test } = splitTable(
    data,
    config.data.test_size,
    stratifyColumn(config, target),
    config.main.random_seed,
  );
  const p = await fitInferencePipeline(train, modelSpec(config, featurePlan(config, train, target)));
  const t0 = performance.now();
  const ox = pipelineToOnnx(p);
  const convertMs = performance.now() - t0;
  const session = await ort.InferenceSession.create(ox.bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const types = new Map(ox.inputs.map((i) => [i.name, i.type]));
  // Integer inputs cannot be missing in ONNX: both engines score the rows that have none.
  const longs = p.inputSchema.filter((c) => c.type === 'long').map((c) => test.numeric(c.name));
  const rows = selectRows(
    test,
    Uint32Array.from({ length: test.nRows }, (_, i) => i).filter((i) => longs.every((v) => v[i] === v[i])),
  );

  const batch = { native: [] as number[], onnx: [] as number[] };
  for (let r = 0; r < rounds + 1; r++) {
    // Alternating, so that a noisy moment hits both; round 0 is warm-up.
    let t = performance.now();
    p.predictProba(rows);
    const nativeMs = performance.now() - t;
    t = performance.now();
    await session.run(feeds(session, rows, types));
    const onnxMs = performance.now() - t;
    if (r > 0) {
      batch.native.push(rows.nRows / (nativeMs / 1000));
      batch.onnx.push(rows.nRows / (onnxMs / 1000));
    }
  }
  const single = { native: [] as number[], onnx: [] as number[] };
  const n = Math.min(SINGLE_ROWS, rows.nRows);
  for (let i = 0; i < n; i++) {
    const one = selectRows(rows, [i]);
    let t = performance.now();
    p.predictProba(one);
    single.native.push(performance.now() - t);
    const f = feeds(session, one, types);
    t = performance.now();
    await session.run(f);
    single.onnx.push(performance.now() - t);
  }
  await session.release();
  const median = (xs: number[]) => quantile(xs, 0.5);
  const result = {
    date: new Date().toISOString(),
    data: REFERENCE ? 'genres_mod.parquet (reference)' : 'sample:genres 8000 rows',
    rows: rows.nRows,
    ort_version: ort.env.versions.common,
    ort_threads: threads,
    model_onnx_bytes: ox.bytes.length,
    model_mlpm_bytes: serializeModel(p).length,
    convert_ms: Math.round(convertMs),
    batch_rows_per_s: {
      native_median: Math.round(median(batch.native)),
      onnx_median: Math.round(median(batch.onnx)),
      native_best: Math.round(Math.max(...batch.native)),
      onnx_best: Math.round(Math.max(...batch.onnx)),
    },
    single_row_ms: {
      native_p50: +median(single.native).toFixed(4),
      onnx_p50: +median(single.onnx).toFixed(4),
      native_p99: +quantile(single.native, 0.99).toFixed(4),
      onnx_p99: +quantile(single.onnx, 0.99).toFixed(4),
    },
  };
  const history = join(__dirname, 'history');
  mkdirSync(history, { recursive: true });
  appendFileSync(join(history, 'onnx.jsonl'), JSON.stringify(result) + '\n');
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  const b = result.batch_rows_per_s;
  const s = result.single_row_ms;
  console.log(
    `${result.data}: ${result.rows} test rows; ONNX Runtime ${result.ort_version}, ${threads} thread(s)`,
  );
  console.log(
    `model.onnx ${result.model_onnx_bytes} bytes vs model.mlpm ${result.model_mlpm_bytes} bytes; conversion ${result.convert_ms} ms`,
  );
  console.log(
    `batch rows/s (median of ${rounds}): native ${b.native_median}, ONNX Runtime ${b.onnx_median} (${(b.onnx_median / b.native_median).toFixed(3)} ×)`,
  );
  console.log(
    `one row p50: native ${s.native_p50} ms, ONNX Runtime ${s.onnx_p50} ms; p99: ${s.native_p99} / ${s.onnx_p99} ms`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
