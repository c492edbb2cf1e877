/**
 * The MLflow tracking sink against a real `mlflow server` (SQLite backend, proxied artifacts) and a
 * real Temporal dev server: a run's experiment, run, params, metrics, tags, logged model, model
 * version and alias are read back over MLflow's REST API; `mlpipe sync` sends a run again without
 * doubling anything; with the server down the run completes, its record lists what was not sent,
 * and `mlpipe sync` catches up.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { PipelineInput, PipelineResult } from '../../src/contract';
import { MLFLOW_SYNC_ITEMS, TASK_QUEUE, WORKFLOW_TYPE } from '../../src/contract';
import { createPipelineWorker } from '../../src/worker';
import { DEFAULT_PROJECT } from '../../src/config';
import { openStore } from '../../src/store';
import type { ArtifactStore } from '../../src/store/types';
import { getRunRecord } from '../../src/lineage/trace';
import { startTemporal } from '../support/temporal';
import { freePort } from '../support/minio';
import { startMlflow, type RunningMlflow } from '../support/mlflow';
import { findPythonTools, pythonToolsSkipReason } from '../support/python-tools';

const run$ = promisify(execFile);
const MLPIPE = join(__dirname, '../../bin/mlpipe');
const SMALL = ['data.sample.rows=2500', 'random_forest_pipeline.random_forest.n_estimators=15'];
const REGISTERED = 'sink-test-model';
/** Loads a model URI with mlflow.pyfunc and scores the export's own input example; prints JSON. */
const PYFUNC_CHECK = `
import json, sys, mlflow, pandas as pd
uri = sys.argv[1]
model = mlflow.pyfunc.load_model(uri)
example = json.load(open(mlflow.artifacts.download_artifacts(uri) + "/input_example.json"))
out = model.predict(pd.DataFrame(example["data"], columns=example["columns"]))
print(json.dumps({"rows": len(out), "predictions": [str(p) for p in out["prediction"]]}))
`;

type Tag = { key: string; value: string };
interface Run {
  info: { run_id: string; run_name: string; status: string; experiment_id: string };
  data: { params?: Tag[]; tags?: Tag[]; metrics?: { key: string; value: number }[] };
  outputs?: { model_outputs?: { model_id: string }[] };
}

void describe('MLflow tracking sink', { skip: pythonToolsSkipReason(), timeout: 900_000 }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let mlflow: RunningMlflow;
  let storeDir: string;
  let store: ArtifactStore;

  before(async () => {
    const python = findPythonTools() as string;
    [env, mlflow] = await Promise.all([startTemporal(), startMlflow(python)]);
    storeDir = mkdtempSync(join(tmpdir(), 'mlpipe-mlflow-e2e-'));
    store = await openStore(storeDir, { project: DEFAULT_PROJECT });
    ({ worker } = await createPipelineWorker({
      address: env.address,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      workDir: join(storeDir, '.work'),
    }));
    running = worker.run();
  });

  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await mlflow?.close();
    rmSync(storeDir, { recursive: true, force: true });
  });

  function train(workflowId: string, trackingUri: string, extra: string[] = []): Promise<PipelineResult> {
    const input: PipelineInput = {
      overrides: [`storage.uri=${storeDir}`, ...SMALL, `tracking.mlflow.uri=${trackingUri}`, ...extra],
      trigger: { kind: 'cli', id: 'test' },
    };
    return env.client.workflow.execute(WORKFLOW_TYPE, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  }

  /** `./bin/mlpipe sync ID` as a user runs it, on the test's store; never an inherited tracking URI. */
  async function mlpipeSync(workflowId: string, sets: string[] = []) {
    const childEnv = { ...process.env };
    delete childEnv.MLFLOW_TRACKING_URI;
    const args = [MLPIPE, '--set', `storage.uri=${storeDir}`, ...sets.flatMap((s) => ['--set', s])];
    return run$(process.execPath, [...args, 'sync', workflowId, '--json'], { env: childEnv }).then(
      (r) => ({ code: 0, ...r }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
  }

  async function runsOf(workflowId: string): Promise<Run[]> {
    const exp = await mlflow.api<{ experiment: { experiment_id: string } }>('experiments/get-by-name', {
      experiment_name: DEFAULT_PROJECT,
    });
    const found = await mlflow.api<{ runs?: Run[] }>('runs/search', undefined, {
      experiment_ids: [exp.experiment.experiment_id],
      filter: `tags.\`mlpipe.workflow_id\` = '${workflowId}'`,
    });
    return found.runs ?? [];
  }

  async function fullRun(runId: string): Promise<Run> {
    return (await mlflow.api<{ run: Run }>('runs/get', { run_id: runId })).run;
  }

  const value = (tags: Tag[] | undefined, key: string) => tags?.find((t) => t.key === key)?.value;

  let first: PipelineResult;

  void it('sends the run: params, metrics, tags, the model export, a model version and the prod alias', async () => {
    first = await train('mlflow-first', mlflow.uri, [`tracking.mlflow.register_model=${REGISTERED}`]);
    assert.equal(first.promotion?.promoted, true);
    assert.deepEqual(first.mlflow?.unsynced, [], JSON.stringify(first.mlflow));
    assert.deepEqual(first.mlflow?.synced, [...MLFLOW_SYNC_ITEMS]);

    const runs = await runsOf('mlflow-first');
    assert.equal(runs.length, 1, 'one MLflow run per workflow');
    const run = await fullRun(runs[0].info.run_id);
    assert.equal(run.info.run_name, 'mlflow-first');
    assert.equal(run.info.status, 'FINISHED');
    assert.equal(first.mlflow?.runId, run.info.run_id);

    // The resolved config as flattened params.
    assert.equal(value(run.data.params, 'random_forest_pipeline.random_forest.n_estimators'), '15');
    assert.equal(value(run.data.params, 'data.sample.rows'), '2500');
    assert.equal(value(run.data.params, 'storage.uri'), storeDir);
    assert.ok((run.data.params?.length ?? 0) > 50, `${run.data.params?.length} params`);
    // The metrics, as the workflow computed them.
    const metrics = new Map(run.data.metrics?.map((m) => [m.key, m.value]));
    assert.equal(metrics.get('test_auc_ovo'), first.metrics.test_auc_ovo);
    assert.equal(metrics.size, Object.keys(first.metrics).length);
    // The workflow ID and the Web UI link as tags.
    assert.equal(value(run.data.tags, 'mlpipe.workflow_id'), 'mlflow-first');
    assert.match(
      value(run.data.tags, 'mlpipe.web_ui') ?? '',
      /\/namespaces\/default\/workflows\/mlflow-first\//,
    );
    assert.equal(value(run.data.tags, 'mlpipe.model_ref'), first.modelRef);

    // The model export is the run's logged model, READY, with the export's files.
    const modelId = run.outputs?.model_outputs?.[0]?.model_id;
    assert.ok(modelId, 'the run has a logged model as its output');
    const model = await mlflow.api<{ model: { info: { status: string; artifact_uri: string } } }>(
      `logged-models/${modelId}`,
    );
    assert.equal(model.model.info.status, 'LOGGED_MODEL_READY');
    const root = model.model.info.artifact_uri.replace(/^mlflow-artifacts:\/+/, '');
    const listing = (await (
      await fetch(`${mlflow.uri}/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(root)}`)
    ).json()) as { files: { path: string }[] };
    const files = listing.files.map((f) => f.path);
    const exported = (await store.resolve(first.modelRef as string)).files.map((f) => f.path.split('/')[0]);
    for (const f of new Set(exported))
      assert.ok(files.includes(f), `${f} uploaded (have ${files.join(', ')})`);
    const mlmodel = await (
      await fetch(`${mlflow.uri}/api/2.0/mlflow-artifacts/artifacts/${root}/MLmodel`)
    ).text();
    const stored = await store.readFile(await store.resolve(first.modelRef as string), 'MLmodel');
    assert.equal(mlmodel, stored.toString('utf8'), 'MLmodel arrives byte for byte');

    // A model version of the registered model, and MLflow's alias where the store's prod is.
    const alias = await mlflow.api<{ model_version: { version: string; run_id: string } }>(
      'registered-models/alias',
      { name: REGISTERED, alias: 'prod' },
    );
    assert.equal(alias.model_version.run_id, run.info.run_id);
    assert.deepEqual(first.mlflow?.registeredModel, {
      name: REGISTERED,
      version: alias.model_version.version,
      alias: 'prod',
    });

    // MLflow's own Python client loads the registered model by alias and scores the export's input example.
    const check = await run$(
      findPythonTools() as string,
      ['-c', PYFUNC_CHECK, `models:/${REGISTERED}@prod`],
      {
        env: { ...process.env, MLFLOW_TRACKING_URI: mlflow.uri },
      },
    );
    const scored = JSON.parse(check.stdout.trim().split('\n').at(-1) as string) as {
      rows: number;
      predictions: string[];
    };
    assert.ok(scored.rows > 0);
    const example = JSON.parse(
      (await store.readFile(await store.resolve(first.modelRef as string), 'input_example.json')).toString(),
    ) as { data: unknown[] };
    assert.equal(scored.predictions.length, example.data.length);

    const record = await getRunRecord(store, 'mlflow-first');
    assert.deepEqual(record?.tracking?.mlflow?.unsynced, []);
    assert.equal(record?.tracking?.mlflow?.runId, run.info.run_id);
    assert.ok(!JSON.stringify(record).includes('MLFLOW_TRACKING'), 'no credentials in the record');

    // MLPIPE_RECORD_HISTORY=NAME keeps this run's history (the workflow with the sink) as a replay fixture.
    const name = process.env.MLPIPE_RECORD_HISTORY;
    if (name && name !== '1') {
      const history = await env.client.workflow.getHandle('mlflow-first').fetchHistory();
      writeFileSync(join(__dirname, `../fixtures/histories/${name}.json`), historyToJSON(history));
    }
  });

  void it('mlpipe sync sends the same run again without a second run, metric point or model version', async () => {
    const again = await mlpipeSync('mlflow-first');
    assert.equal(again.code, 0, again.stderr);
    const state = JSON.parse(again.stdout) as { unsynced: string[]; runId: string };
    assert.deepEqual(state.unsynced, []);
    const runs = await runsOf('mlflow-first');
    assert.equal(runs.length, 1, 'the run is found by its workflow ID tag');
    assert.equal(state.runId, runs[0].info.run_id);
    const history = await mlflow.api<{ metrics?: unknown[] }>('metrics/get-history', {
      run_id: state.runId,
      metric_key: 'test_auc_ovo',
    });
    assert.equal(history.metrics?.length, 1, 'the metric is not logged twice');
    const run = await fullRun(state.runId);
    assert.equal(run.outputs?.model_outputs?.length, 1, 'one logged model');
    const versions = await mlflow.api<{ model_versions?: unknown[] }>('model-versions/search', {
      filter: `name='${REGISTERED}'`,
    });
    assert.equal(versions.model_versions?.length, 1, 'one model version');
  });

  void it('completes the run with the server down, lists what was not sent, and mlpipe sync catches up', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const result = await train('mlflow-down', down, ['tracking.mlflow.max_attempts=2']);
    assert.ok(result.modelRef, 'the training completed');
    assert.deepEqual(
      result.steps.map((s) => s.status),
      Array(6).fill('completed'),
    );
    assert.deepEqual(result.mlflow?.synced, []);
    assert.deepEqual(result.mlflow?.unsynced, ['run', 'params', 'metrics', 'tags', 'model', 'status']);
    assert.equal(result.mlflow?.attempts, 2, 'retried, then left for mlpipe sync');
    assert.match(result.mlflow?.errors?.run ?? '', /no answer from/);
    const record = await getRunRecord(store, 'mlflow-down');
    assert.equal(record?.status, 'completed');
    assert.deepEqual(record?.tracking?.mlflow?.unsynced, result.mlflow?.unsynced);
    assert.equal((await runsOf('mlflow-down')).length, 0);
    const lineage = await run$(process.execPath, [
      MLPIPE,
      '--set',
      `storage.uri=${storeDir}`,
      'lineage',
      'mlflow-down',
    ]);
    assert.match(
      lineage.stdout,
      /mlflow .*not synced: run, params, metrics, tags, model, status \(mlpipe sync mlflow-down\)/,
    );

    const caughtUp = await mlpipeSync('mlflow-down', [`tracking.mlflow.uri=${mlflow.uri}`]);
    assert.equal(caughtUp.code, 0, caughtUp.stderr);
    const runs = await runsOf('mlflow-down');
    assert.equal(runs.length, 1);
    const run = await fullRun(runs[0].info.run_id);
    assert.equal(run.info.status, 'FINISHED');
    assert.equal(run.data.metrics?.find((m) => m.key === 'test_auc_ovo')?.value, result.metrics.test_auc_ovo);
    assert.equal(run.outputs?.model_outputs?.length, 1);
    const after = await getRunRecord(store, 'mlflow-down');
    assert.deepEqual(after?.tracking?.mlflow?.unsynced, []);
    assert.equal(after?.tracking?.mlflow?.uri, mlflow.uri);
  });

  void it("moves MLflow's alias only where prod is: kept after a worse run, moved by promote and rollback", async () => {
    const aliasRun = async () =>
      (
        await mlflow.api<{ model_version: { run_id: string; version: string } }>('registered-models/alias', {
          name: REGISTERED,
          alias: 'prod',
        })
      ).model_version;
    const before = await aliasRun();
    const worse = await train('mlflow-worse', mlflow.uri, [
      `tracking.mlflow.register_model=${REGISTERED}`,
      'random_forest_pipeline.random_forest.max_depth=1',
      'random_forest_pipeline.random_forest.n_estimators=3',
    ]);
    assert.equal(worse.promotion?.promoted, false);
    assert.deepEqual(worse.mlflow?.unsynced, []);
    assert.ok(worse.mlflow?.registeredModel?.version, 'the worse model is a model version too');
    assert.equal(worse.mlflow?.registeredModel?.alias, undefined, 'but does not get the alias');
    assert.deepEqual(await aliasRun(), before);

    const mlpipe = (args: string[]) =>
      run$(process.execPath, [MLPIPE, '--set', `storage.uri=${storeDir}`, ...args]).then((r) => r.stdout);
    const promoted = await mlpipe(['promote', worse.modelRef as string, '--reason', 'test']);
    assert.match(
      promoted,
      new RegExp(`MLflow: ${REGISTERED}@prod → version ${worse.mlflow?.registeredModel?.version}`),
    );
    assert.equal((await aliasRun()).run_id, worse.mlflow?.runId);
    const rolledBack = await mlpipe(['rollback', '--reason', 'test']);
    assert.match(rolledBack, /MLflow: .*@prod → version/);
    assert.deepEqual(await aliasRun(), before);
  });

  void it('sends the rest when the server refuses one item, and does not retry the refusal', async () => {
    // Our alias names allow a dot; MLflow's do not: the alias is refused (4xx), the run is still complete.
    const refused = await train('mlflow-refused', mlflow.uri, [
      `tracking.mlflow.register_model=${REGISTERED}`,
      'evaluate.promote_alias=champion.1',
    ]);
    assert.equal(refused.promotion?.promoted, true, 'the model takes champion.1 in the store');
    assert.deepEqual(refused.mlflow?.unsynced, ['alias']);
    assert.match(refused.mlflow?.errors?.alias ?? '', /not a valid MLflow alias/);
    assert.deepEqual(refused.mlflow?.synced, [
      'run',
      'params',
      'metrics',
      'tags',
      'model',
      'registered_model',
      'status',
    ]);
    assert.equal(refused.mlflow?.attempts, 1, 'a refusal comes back the same: not retried');
    assert.equal(refused.mlflow?.retryable, undefined);
  });

  void it('sends a failed run as a FAILED MLflow run with its error', async () => {
    await assert.rejects(
      train('mlflow-failed', mlflow.uri, ['check_data.ranges={danceability: {max: 0.2}}']),
      (err: Error) => /step check_data failed/.test((err.cause as Error | undefined)?.message ?? ''),
    );
    const runs = await runsOf('mlflow-failed');
    assert.equal(runs.length, 1);
    const run = await fullRun(runs[0].info.run_id);
    assert.equal(run.info.status, 'FAILED');
    assert.match(value(run.data.tags, 'mlpipe.error') ?? '', /check_data: .*danceability/s);
    assert.equal(run.outputs?.model_outputs, undefined, 'no model: training never ran');
    const record = await getRunRecord(store, 'mlflow-failed');
    assert.deepEqual(record?.tracking?.mlflow?.synced, ['run', 'params', 'metrics', 'tags', 'status']);
  });

  void it('mlpipe sync says which item failed and exits non-zero while the server is down', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const res = await mlpipeSync('mlflow-first', [`tracking.mlflow.uri=${down}`]);
    assert.equal(res.code, 1);
    const state = JSON.parse(res.stdout) as { unsynced: string[]; errors: Record<string, string> };
    assert.ok(state.unsynced.includes('run'));
    assert.match(state.errors.run, /no answer from http:\/\/127\.0\.0\.1/);
  });
});
