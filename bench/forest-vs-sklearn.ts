/**
 * `npm run bench -- --data PATH [--replicate N] [--n-jobs N] [--engine E] [--json]`
 *
 * Fits the reference pipeline (ColumnTransformer + random forest: 100 trees, depth 13,
 * class_weight balanced, tfidf max_features 10, random_state 42) on the reference preprocessing and
 * splits (../shared/data/README.md), then, in the same run, scikit-learn's reference script on the
 * same data with the same --replicate and --n-jobs, and prints both sides and the fit-time ratio.
 *
 * Setup for the scikit-learn side (Debian's interpreter, so the version is the same everywhere):
 *   apt-get install -y python3-sklearn python3-pandas time
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { exampleConfigPath, loadConfig } from '../src/config/index';
import { rocAuc } from '../src/ml/metrics/index';
import { encodeLabels, fitInferencePipeline, type InferencePipeline } from '../src/ml/pipeline/index';
import {
  type Table,
  addTextFeature,
  concatTables,
  dropDuplicates,
  readTable,
  selectRows,
  stratifiedSplit,
  writeCsv,
} from '../src/ml/table/index';
import { round, runPythonJson } from './python';

const REPO = resolve(__dirname, '..');
const SHARED = resolve(REPO, '../shared');
const SKLEARN_SCRIPT = join(SHARED, 'bench/sklearn_reference.py');

interface Side {
  fit_s: number;
  val_auc_ovo: number;
  test_auc_ovo: number;
  single_row_ms: number;
  predict_rows_per_s: number;
  peak_rss_mb: number;
  [extra: string]: unknown;
}

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return n;
};

function defaultData(): string {
  const parquet = join(SHARED, 'data/genres_mod.parquet');
  return existsSync(parquet) ? parquet : join(SHARED, 'data/genres_mod.csv');
}

/** The reference preprocessing: drop exact duplicates, text_feature = title + " " + song_name. */
function preprocess(raw: Table, replicate: number): Table {
  let t = addTextFeature(dropDuplicates(raw), {
    name: 'text_feature',
    columns: ['title', 'song_name'],
    separator: ' ',
  });
  if (replicate > 1) t = concatTables(Array.from({ length: replicate }, () => t));
  return t;
}

/** The reference feature lists are the config's defaults (config/pipeline.yaml documents them). */
// The reference's hand-picked features, as the genres example config spells them out.
const GIVEN = loadConfig({ path: exampleConfigPath('genres') }).random_forest_pipeline.features;
const REFERENCE_FEATURES = {
  numerical: GIVEN?.numerical ?? [],
  categorical: GIVEN?.categorical ?? [],
  nlp: GIVEN?.nlp ?? [],
};

const SPEC = (engine: string, nJobs: number) => ({
  target: 'genre',
  features: REFERENCE_FEATURES,
  tfidf: { max_features: 10 },
  random_forest: {
    engine,
    n_estimators: 100,
    criterion: 'gini',
    max_depth: 13,
    max_features: 'sqrt',
    bootstrap: true,
    class_weight: 'balanced',
    n_jobs: nJobs,
    random_state: 42,
  },
});

function auc(pipe: InferencePipeline, table: Table): number {
  const { codes } = encodeLabels(table.strings('genre') as string[], pipe.classes);
  return rocAuc(codes, pipe.predictProba(table), pipe.classes.length, 'ovo');
}

/** Timed batch-prediction calls over the test set; `predict_rows_per_s` is the best of them. */
const BATCH_CALLS = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function runOurs(table: Table, engine: string, nJobs: number): Promise<Side> {
  const outer = stratifiedSplit(table, { testSize: 0.3, stratify: 'genre', seed: 42 });
  const inner = stratifiedSplit(outer.train, { testSize: 0.3, stratify: 'genre', seed: 42 });
  const train = inner.train;
  const t0 = performance.now();
  const pipe = await fitInferencePipeline(train, SPEC(engine, nJobs));
  const fitS = (performance.now() - t0) / 1000;
  const valAuc = auc(pipe, inner.test);
  const testAuc = auc(pipe, outer.test);

  // Batch prediction through the whole pipeline (transform + forest) on the test set, one core.
  // Best and median of BATCH_CALLS calls: with three, the best could still include JIT warm-up.
  const batch: number[] = [];
  for (let r = 0; r < BATCH_CALLS; r++) {
    const s = performance.now();
    pipe.predictProba(outer.test);
    batch.push((performance.now() - s) / 1000);
  }
  // One row through the whole pipeline, as the scoring server does.
  const one = selectRows(outer.test, [0]);
  for (let r = 0; r < 200; r++) pipe.predictProba(one);
  const single: number[] = [];
  for (let r = 0; r < 1000; r++) {
    const s = performance.now();
    pipe.predictProba(one);
    single.push(performance.now() - s);
  }
  return {
    fit_s: round(fitS, 3),
    val_auc_ovo: round(valAuc, 4),
    test_auc_ovo: round(testAuc, 4),
    single_row_ms: round(single.reduce((a, x) => a + x, 0) / single.length, 4),
    single_row_p50_ms: round(median(single), 4),
    predict_rows_per_s: Math.round(outer.test.nRows / Math.min(...batch)),
    predict_rows_per_s_median: Math.round(outer.test.nRows / median(batch)),
    predict_calls: batch.length,
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
    train_rows: train.nRows,
    engine,
  };
}

/** The scikit-learn script needs a CSV: the data file itself, its .csv sibling, or a temporary copy. */
async function csvFor(
  data: string,
  raw: () => Promise<Table>,
): Promise<{ path: string; cleanup: () => void }> {
  if (extname(data).toLowerCase() === '.csv') return { path: data, cleanup: () => {} };
  const sibling = join(dirname(data), `${basename(data, extname(data))}.csv`);
  if (existsSync(sibling)) return { path: sibling, cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const path = join(dir, 'data.csv');
  await writeCsv(await raw(), path);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function runSklearn(csv: string, nJobs: number, replicate: number): Side {
  const args = ['--data', csv, '--n-jobs', String(nJobs), '--replicate', String(replicate)];
  const { out, peakRssMb } = runPythonJson<Record<string, number>>(SKLEARN_SCRIPT, args, { peakRss: true });
  return {
    fit_s: out.fit_s,
    val_auc_ovo: out.val_auc_ovo,
    test_auc_ovo: out.test_auc_ovo,
    single_row_ms: out.single_row_ms,
    predict_rows_per_s: Math.round((Number(out.rows) * 0.3 * 0.7) / out.predict_val_s),
    peak_rss_mb: peakRssMb,
    train_rows: out.train_rows,
    sklearn: out.sklearn,
  };
}

async function main(): Promise<void> {
  const program = new Command()
    .name('bench')
    .description('Native random forest vs scikit-learn on the reference pipeline, in one run.')
    .option('--data <path>', 'CSV or Parquet data (default ../shared/data/genres_mod.parquet)', defaultData())
    .option('--replicate <n>', 'stack the cleaned table N times (scale test)', positiveInt, 1)
    .option('--n-jobs <n>', 'worker threads / sklearn n_jobs on both sides', positiveInt, 1)
    .option('--engine <name>', 'our engine (native or ml-random-forest)', 'native')
    .option('--skip-sklearn', 'only run our side')
    .option('--json', 'print one JSON object as the last line');
  program.parse();
  const o = program.opts<{
    data: string;
    replicate: number;
    nJobs: number;
    engine: string;
    json?: boolean;
    skipSklearn?: boolean;
  }>();
  const data = resolve(o.data);
  if (!existsSync(data)) throw new Error(`${data}: no such data file`);

  const readStart = performance.now();
  const raw = await readTable(data);
  const table = preprocess(raw, o.replicate);
  const prepS = (performance.now() - readStart) / 1000;
  const ours = await runOurs(table, o.engine, o.nJobs);
  ours.prep_s = round(prepS, 3);

  let sklearn: Side | null = null;
  if (!o.skipSklearn) {
    const csv = await csvFor(data, () => Promise.resolve(raw));
    try {
      sklearn = runSklearn(csv.path, o.nJobs, o.replicate);
    } finally {
      csv.cleanup();
    }
  }
  const result = {
    data,
    replicate: o.replicate,
    n_jobs: o.nJobs,
    [o.engine]: ours,
    sklearn,
    fit_ratio: sklearn ? round(ours.fit_s / sklearn.fit_s, 3) : null,
  };
  const rows: [string, keyof Side][] = [
    ['fit (s)', 'fit_s'],
    ['val ROC-AUC ovo', 'val_auc_ovo'],
    ['test ROC-AUC ovo', 'test_auc_ovo'],
    ['one row (ms, mean)', 'single_row_ms'],
    ['batch predict (rows/s)', 'predict_rows_per_s'],
    ['peak RSS (MB)', 'peak_rss_mb'],
  ];
  console.log(`data ${data}, replicate ${o.replicate}, n_jobs ${o.nJobs}, ${ours.train_rows} training rows`);
  console.log(`${'figure'.padEnd(24)}${o.engine.padStart(14)}${'scikit-learn'.padStart(14)}`);
  for (const [label, key] of rows) {
    console.log(
      `${label.padEnd(24)}${String(ours[key]).padStart(14)}${String(sklearn ? sklearn[key] : '-').padStart(14)}`,
    );
  }
  console.log(
    `batch predict: best of ${String(ours.predict_calls)} calls, median ${String(ours.predict_rows_per_s_median)} rows/s`,
  );
  console.log(`one row p50 (ms): ${String(ours.single_row_p50_ms)}; fit ratio: ${result.fit_ratio ?? '-'}`);
  if (o.json) console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
