/**
 * Sharded training's figures (issue 15): the train step on a real dev server with `mlpipe worker`
 * processes, unsharded against sharded, on the reference data replicated to N data_train rows.
 *
 *   npm run bench:shards -- [--rows N] [--shards K] [--n-jobs J] [--data PATH] [--json]
 *
 * The table (default ../shared/data/genres_mod.parquet, duplicates dropped, stacked until it has N
 * rows, as `npm run bench -- --replicate` stacks it) is published as data_train, and only the train
 * step runs (`main.execute_steps=[train_random_forest]`, the data pinned), with the genres example
 * config, in this order:
 *   1. one worker, shards 1 (the one-activity fit);
 *   2. the same worker, shards K (default 4): the overhead of sharding on one machine;
 *   3. a second worker process joins; shards K again: the fit on two worker processes of this machine
 *      (which worker takes which shard is Temporal's matching; the run record shows it).
 * It reports each train step's wall time (planning to export), the fit (for a sharded fit: planning
 * + the shards from first start to last end + assembly), the ratios to the one-activity run, and the
 * model digests, which must be equal. Appends a JSON line to bench/history/shards.jsonl.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TASK_QUEUE, WORKFLOW_TYPE, type PipelineInput, type PipelineResult } from '../src/contract';
import { concatTables, dropDuplicates, readTable, selectRows, writeCsv } from '../src/ml';
import { openStore } from '../src/store';
import { exampleConfigPath } from '../src/config';
import { startTemporal } from '../test/support/temporal';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    shards: { type: 'string', default: '4' },
    'n-jobs': { type: 'string', default: '2' },
    data: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const ROOT = resolve(__dirname, '..');
const rows = Number(args.rows);
const shards = Number(args.shards);
const nJobs = Number(args['n-jobs']);
// ../shared from the main checkout; a worktree under wt/ finds it one level further up.
const data = resolve(
  args.data ??
    [
      join(ROOT, '../shared/data/genres_mod.parquet'),
      join(ROOT, '../../shared/data/genres_mod.parquet'),
    ].find((p) => existsSync(p)) ??
    join(ROOT, '../shared/data/genres_mod.parquet'),
);
const PROJECT = 'bench_shards';

interface Measured {
  label: string;
  shards: number;
  workers: number;
  step_s: number;
  fit_s: number;
  val_auc_ovo: number;
  digest: string;
  sharding?: unknown;
}

async function main(): Promise<void> {
  if (!existsSync(data))
    throw new Error(`--data ${data}: no such file (the reference table is ../shared/data)`);
  const dir = mkdtempSync(join(tmpdir(), 'mlpipe-bench-shards-'));
  const storeDir = join(dir, 'store');
  const workers: ChildProcess[] = [];
  let env: TestWorkflowEnvironment | undefined;
  try {
    const trainRef = await publishTrainTable(storeDir, join(dir, 'data_train.csv'));
    env = await startTemporal();
    const e = env;
    const startWorker = (): void => {
      const log = openSync(join(dir, `worker-${workers.length + 1}.log`), 'a');
      workers.push(
        spawn(process.execPath, [join(ROOT, 'bin/mlpipe'), '-c', exampleConfigPath('genres'), 'worker'], {
          cwd: ROOT,
          env: { ...process.env, TEMPORAL_ADDRESS: e.address, TEMPORAL_NAMESPACE: 'default' },
          stdio: ['ignore', log, log],
        }),
      );
      closeSync(log);
    };
    const waitForWorkers = async (n: number): Promise<void> => {
      const deadline = Date.now() + 120_000;
      while ((await pollers(e)) < n) {
        if (Date.now() > deadline) throw new Error(`${n} workers did not start polling (logs in ${dir})`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const run = async (label: string, k: number, nWorkers: number): Promise<Measured> => {
      const input: PipelineInput = {
        overrides: [
          `storage.uri=${storeDir}`,
          `main.project_name=${PROJECT}`,
          'main.execute_steps=[train_random_forest]',
          `random_forest_pipeline.random_forest.shards=${k}`,
          `random_forest_pipeline.random_forest.n_jobs=${nJobs}`,
          // A fit of a million rows: give each tree time.
          'steps.train_random_forest.heartbeat_timeout=120s',
        ],
        inputs: { train: trainRef },
        trigger: { kind: 'cli', id: 'bench' },
      };
      const result = (await e.client.workflow.execute(WORKFLOW_TYPE, {
        taskQueue: TASK_QUEUE,
        workflowId: `bench-shards-${label}`,
        args: [input],
      })) as PipelineResult;
      const step = result.steps.find((s) => s.step === 'train_random_forest');
      const record = (await (
        await openStore(storeDir, { project: PROJECT })
      ).getRecord(`runs/bench-shards-${label}`)) as
        { steps?: Array<{ step: string; details?: { sharding?: unknown } }> } | undefined;
      const m: Measured = {
        label,
        shards: k,
        workers: nWorkers,
        step_s: (step?.durationMs ?? NaN) / 1000,
        fit_s: result.metrics.fit_s,
        val_auc_ovo: result.metrics.val_auc_ovo,
        digest: result.artifacts.train_random_forest?.[0]?.digest ?? '',
        sharding: record?.steps?.find((s) => s.step === 'train_random_forest')?.details?.sharding,
      };
      console.log(
        `${label}: shards ${k} on ${nWorkers} worker(s): train step ${m.step_s.toFixed(2)} s, fit ${m.fit_s.toFixed(2)} s, val AUC ${m.val_auc_ovo.toFixed(4)}, model ${m.digest.slice(0, 12)}`,
      );
      return m;
    };

    startWorker();
    await waitForWorkers(1);
    const one = await run('unsharded', 1, 1);
    const oneWorker = await run(`k${shards}-one-worker`, shards, 1);
    startWorker();
    await waitForWorkers(2);
    const twoWorkers = await run(`k${shards}-two-workers`, shards, 2);

    const ratio = (m: Measured, key: 'step_s' | 'fit_s') => Math.round((m[key] / one[key]) * 1000) / 1000;
    const summary = {
      date: new Date().toISOString(),
      data,
      rows,
      n_jobs: nJobs,
      runs: [one, oneWorker, twoWorkers],
      [`k${shards}_one_worker_over_unsharded`]: {
        step: ratio(oneWorker, 'step_s'),
        fit: ratio(oneWorker, 'fit_s'),
      },
      [`k${shards}_two_workers_over_unsharded`]: {
        step: ratio(twoWorkers, 'step_s'),
        fit: ratio(twoWorkers, 'fit_s'),
      },
      same_digest: oneWorker.digest === one.digest && twoWorkers.digest === one.digest,
    };
    console.log(
      `K=${shards} on one worker / unsharded: train step ${ratio(oneWorker, 'step_s')} ×, fit ${ratio(oneWorker, 'fit_s')} ×` +
        `\nK=${shards} on two workers / unsharded: train step ${ratio(twoWorkers, 'step_s')} ×, fit ${ratio(twoWorkers, 'fit_s')} ×` +
        `\nsame model digest: ${summary.same_digest ? 'yes' : 'NO'}`,
    );
    mkdirSync(join(ROOT, 'bench/history'), { recursive: true });
    appendFileSync(join(ROOT, 'bench/history/shards.jsonl'), JSON.stringify(summary) + '\n');
    if (args.json) console.log(JSON.stringify(summary));
    if (!summary.same_digest) process.exitCode = 1;
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(
      workers.map((w) => (w.exitCode === null ? new Promise((r) => w.once('exit', r)) : null)),
    );
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The reference table less duplicates, stacked to `rows` rows, published as data_train. */
async function publishTrainTable(storeDir: string, csv: string): Promise<string> {
  const base = dropDuplicates(await readTable(data));
  const copies = Math.ceil(rows / base.nRows);
  let table = copies > 1 ? concatTables(Array.from({ length: copies }, () => base)) : base;
  table = selectRows(
    table,
    Uint32Array.from({ length: Math.min(rows, table.nRows) }, (_, i) => i),
  );
  await writeCsv(table, csv);
  const store = await openStore(storeDir, { project: PROJECT });
  const { version } = await store.publish({
    name: 'data_train',
    type: 'segregated_data',
    description: `${data} less duplicates, stacked to ${table.nRows} rows (bench:shards)`,
    files: [{ path: 'data_train.csv', source: csv }],
  });
  console.log(`data_train: ${table.nRows} rows (${base.nRows} distinct, ×${copies}) → ${version.ref}`);
  return version.ref;
}

async function pollers(env: TestWorkflowEnvironment): Promise<number> {
  const res = await env.client.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: TASK_QUEUE },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return new Set((res.pollers ?? []).map((p) => p.identity)).size;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
