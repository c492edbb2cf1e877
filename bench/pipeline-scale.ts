/**
 * The whole six-step pipeline at scale, against pandas + scikit-learn doing the same work, in one run.
 *
 *   npm run bench:scale -- --rows N [--shards K] [--json] [--data PATH] [--skip-sklearn] [--n-jobs J]
 *
 * The reference table (../shared/data/genres_mod.parquet) is stacked until it has N rows, with a
 * `replica` column (the copy's number) so that the copies stay distinct: preprocess then drops only
 * the duplicates within each copy, as it does on the reference data. The table is written once as
 * Parquet; the pipeline runs on it with the reference configuration (config/examples/genres.yaml),
 * cold: a new filesystem store and a new worker process, on a real Temporal dev server. Reported: the
 * workflow time, each step's wall time, the fit, and the worker's peak RSS (VmHWM of its process).
 * Then bench/scale_sklearn.py reads the same file (pandas + pyarrow), drops duplicates, splits, fits
 * and scores, each phase timed, under GNU time for its peak RSS. `--shards K` passes
 * random_forest_pipeline.random_forest.shards=K to the run (sharded training, issue 15 part 3).
 * Each run appends one JSON line to bench/history/scale.jsonl.
 *
 * Setup of the Python side: `bash scripts/bench-scale-setup.sh` (a venv with pandas, pyarrow and
 * scikit-learn; MLPIPE_BENCH_PYTHON overrides it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { TASK_QUEUE, WORKFLOW_TYPE, type PipelineInput, type PipelineResult } from '../src/contract';
import { concatTables, readTable, selectRows, type Table, writeParquet } from '../src/ml/table/index';
import { readCodeVersion } from '../src/code-version';
import { startTemporal } from '../test/support/temporal';
import { round } from './python';

const REPO = resolve(__dirname, '..');
const HISTORY = join(__dirname, 'history/scale.jsonl');
const SKLEARN_SCRIPT = join(__dirname, 'scale_sklearn.py');
const REFERENCE = resolve(REPO, '../shared/data/genres_mod.parquet');
const CONFIG = join(REPO, 'config/examples/genres.yaml');

function positiveInt(v: string): number {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** The reference stacked to `rows` rows, each copy told apart by its `replica` number. */
async function replicated(data: string, rows: number, out: string): Promise<Table> {
  const base = await readTable(data);
  const copies = Math.ceil(rows / base.nRows);
  let table = copies > 1 ? concatTables(Array.from({ length: copies }, () => base)) : base;
  if (table.nRows > rows)
    table = selectRows(
      table,
      Uint32Array.from({ length: rows }, (_, i) => i),
    );
  const replica = new Float64Array(table.nRows);
  for (let i = 0; i < replica.length; i++) replica[i] = Math.floor(i / base.nRows);
  table = table.withColumn({ name: 'replica', type: 'long', values: replica });
  await writeParquet(table, out);
  return table;
}

/** Peak resident set of a live process, in MB (Linux: VmHWM). */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? round(Number(m[1]) / 1024, 1) : NaN;
}

/** `mlpipe worker` in its own process, so its peak RSS is the pipeline's alone. */
async function startWorker(address: string, log: string, cpuProf?: string): Promise<ChildProcess> {
  const prof = cpuProf ? ['--cpu-prof', '--cpu-prof-dir', resolve(cpuProf)] : [];
  const child = spawn(process.execPath, [...prof, join(REPO, 'bin/mlpipe'), '-c', CONFIG, 'worker'], {
    env: { ...process.env, TEMPORAL_ADDRESS: address },
    stdio: ['ignore', 'pipe', openSync(log, 'w')],
  });
  await new Promise<void>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`the worker exited with ${String(code)} before it started`)));
    child.stdout?.on('data', (b: Buffer) => {
      if (/Worker on task queue/.test(b.toString())) ok();
    });
  });
  child.stdout?.resume();
  return child;
}

interface Ours {
  workflow_s: number;
  steps: Record<string, number>;
  fit_s: number;
  test_auc_ovo: number;
  peak_rss_mb: number;
  rows_after_dedup: number | undefined;
}

interface Theirs {
  read_s: number;
  drop_duplicates_s: number;
  split_s: number;
  fit_s: number;
  score_s: number;
  test_auc_ovo: number;
  rows: number;
  sklearn: string;
  pandas: string;
  peak_rss_mb: number;
}

function benchPython(): string {
  const venv = join(
    process.env.MLPIPE_BENCH_VENV ?? join(homedir(), '.cache/mlpipe/bench-venv'),
    'bin/python',
  );
  const python = process.env.MLPIPE_BENCH_PYTHON ?? venv;
  if (!existsSync(python))
    throw new Error(`${python}: no Python for the scikit-learn side; run bash scripts/bench-scale-setup.sh`);
  return python;
}

function runSklearn(file: string, nJobs: number): Theirs {
  const python = benchPython();
  const time = existsSync('/usr/bin/time');
  const cmd = time ? '/usr/bin/time' : python;
  const args = [...(time ? ['-v', python] : []), SKLEARN_SCRIPT, '--data', file, '--n-jobs', String(nJobs)];
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${SKLEARN_SCRIPT} exited with ${String(r.status)}:\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Omit<Theirs, 'peak_rss_mb'>;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return { ...out, peak_rss_mb: rss ? round(Number(rss[1]) / 1024, 1) : NaN };
}

async function main(): Promise<void> {
  const program = new Command('bench:scale')
    .option('--rows <n>', 'rows of the stacked reference table', positiveInt, 1_000_000)
    .option('--shards <k>', 'random_forest_pipeline.random_forest.shards for the run', positiveInt)
    .option('--n-jobs <n>', 'forest threads on both sides (n_jobs)', positiveInt, 1)
    .option('--data <path>', 'the reference table', REFERENCE)
    .option('--skip-sklearn', 'only run the pipeline')
    .option('--cpu-prof <dir>', "write the worker's CPU profile into DIR")
    .option('--keep', 'keep the temporary folder (the Parquet input and the store)')
    .option('--json', 'print one JSON object as the last line');
  program.parse();
  const o = program.opts<{
    rows: number;
    shards?: number;
    nJobs: number;
    data: string;
    skipSklearn?: boolean;
    keep?: boolean;
    cpuProf?: string;
    json?: boolean;
  }>();
  const data = resolve(o.data);
  if (!existsSync(data)) throw new Error(`${data}: no such file (give --data PATH)`);
  const dir = mkdtempSync(join(tmpdir(), 'mlpipe-scale-'));
  const input = join(dir, `genres_x${o.rows}.parquet`);
  const t0 = performance.now();
  const table = await replicated(data, o.rows, input);
  console.error(`input: ${table.nRows} rows → ${input} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await startTemporal();
  let ours: Ours;
  let worker: ChildProcess | undefined;
  try {
    worker = await startWorker(env.address, join(dir, 'worker.log'), o.cpuProf);
    const overrides = [
      `data.source=${input}`,
      `storage.uri=${join(dir, 'store')}`,
      `random_forest_pipeline.random_forest.n_jobs=${o.nJobs}`,
      ...(o.shards ? [`random_forest_pipeline.random_forest.shards=${o.shards}`] : []),
    ];
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: `bench-scale-${o.rows}-${Date.now()}`,
      args: [{ overrides } satisfies PipelineInput],
    });
    const result = (await handle.result()) as PipelineResult;
    const d = await handle.describe();
    ours = {
      workflow_s: round(((d.closeTime?.getTime() ?? 0) - d.startTime.getTime()) / 1000, 3),
      steps: Object.fromEntries(result.steps.map((s) => [s.step, round((s.durationMs ?? 0) / 1000, 3)])),
      fit_s: result.metrics.fit_s,
      test_auc_ovo: round(result.metrics.test_auc_ovo, 4),
      peak_rss_mb: peakRssMb(worker.pid as number),
      rows_after_dedup: result.metrics.rows,
    };
  } catch (err) {
    console.error(`the run failed; the worker's log: ${join(dir, 'worker.log')}`);
    throw err;
  } finally {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((ok) => worker?.once('exit', ok));
      worker.kill('SIGINT'); // a graceful shutdown, so a CPU profile is written
      await exited;
    }
    await env.teardown();
  }
  const stepsTotal = Object.values(ours.steps).reduce((a, b) => a + b, 0);
  console.log(
    `pipeline: workflow ${ours.workflow_s.toFixed(2)} s, steps ${stepsTotal.toFixed(2)} s (${Object.entries(
      ours.steps,
    )
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(
        ', ',
      )}), fit ${ours.fit_s.toFixed(2)} s, peak RSS ${ours.peak_rss_mb} MB, test ROC-AUC ${ours.test_auc_ovo}`,
  );

  let theirs: Theirs | null = null;
  if (!o.skipSklearn) {
    theirs = runSklearn(input, o.nJobs);
    const total = theirs.read_s + theirs.drop_duplicates_s + theirs.split_s + theirs.fit_s + theirs.score_s;
    console.log(
      `pandas + scikit-learn ${theirs.sklearn}: ${total.toFixed(2)} s (read ${theirs.read_s}, drop duplicates ${theirs.drop_duplicates_s}, split ${theirs.split_s}, fit ${theirs.fit_s}, score ${theirs.score_s}), peak RSS ${theirs.peak_rss_mb} MB, test ROC-AUC ${theirs.test_auc_ovo}`,
    );
  }
  if (theirs && theirs.rows !== ours.rows_after_dedup)
    console.log(
      `rows after dropping duplicates differ: pipeline ${String(ours.rows_after_dedup)}, pandas ${theirs.rows}`,
    );
  const theirsTotal = theirs
    ? theirs.read_s + theirs.drop_duplicates_s + theirs.split_s + theirs.fit_s + theirs.score_s
    : NaN;
  const ratios = theirs
    ? {
        pipeline_over_sklearn: round(ours.workflow_s / theirsTotal, 3),
        non_fit_over_pandas: round((ours.workflow_s - ours.fit_s) / (theirsTotal - theirs.fit_s), 3),
        fit_over_sklearn: round(ours.fit_s / theirs.fit_s, 3),
      }
    : null;
  if (ratios)
    console.log(
      `ratios: pipeline / (pandas + scikit-learn) ${ratios.pipeline_over_sklearn}; everything but the fit / pandas's share ${ratios.non_fit_over_pandas}; fit ${ratios.fit_over_sklearn}`,
    );
  const record = {
    bench: 'scale',
    at: new Date().toISOString(),
    code: readCodeVersion(REPO),
    rows: table.nRows,
    shards: o.shards ?? null,
    n_jobs: o.nJobs,
    ours,
    sklearn: theirs,
    ratios,
  };
  appendFileSync(HISTORY, JSON.stringify(record) + '\n');
  if (!o.keep) rmSync(dir, { recursive: true, force: true });
  if (o.json) console.log(JSON.stringify(record));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
