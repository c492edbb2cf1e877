/**
 * End to end on a real Temporal dev server and a real filesystem store: the six steps, lineage,
 * determinism of the model digest, promotion, a failing check that leaves every alias alone, a
 * start from the Temporal CLI, a schedule, and a replay of the recorded history.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { PipelineInput, PipelineResult } from '../../src/contract';
import { TASK_QUEUE, WORKFLOW_TYPE } from '../../src/contract';
import { createPipelineWorker } from '../../src/worker';
import { DEFAULT_PROJECT } from '../../src/config';
import { openStore } from '../../src/store';
import type { ArtifactStore } from '../../src/store/types';
import { getRunRecord, traceArtifact } from '../../src/lineage/trace';
import { findTemporalCli } from '../../src/temporal/dev-server';
import { startTemporal } from '../support/temporal';

const SMALL = ['data.sample.rows=2500', 'random_forest_pipeline.random_forest.n_estimators=15'];

void describe('trainingPipeline end to end', { timeout: 300_000 }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let storeDir: string;
  let store: ArtifactStore;
  let overrides: string[];

  async function allAliases(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const name of await store.listArtifacts()) out[name] = await store.getAliases(name);
    return out;
  }

  function run(workflowId: string, extra: string[] = []): Promise<PipelineResult> {
    const input: PipelineInput = {
      overrides: [...overrides, ...extra],
      trigger: { kind: 'cli', id: 'test' },
    };
    return env.client.workflow.execute(WORKFLOW_TYPE, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  }

  before(async () => {
    env = await startTemporal();
    storeDir = mkdtempSync(join(tmpdir(), 'mlpipe-e2e-'));
    store = await openStore(storeDir, { project: DEFAULT_PROJECT });
    overrides = [`storage.uri=${storeDir}`, ...SMALL];
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
    rmSync(storeDir, { recursive: true, force: true });
  });

  let first: PipelineResult;

  void it('runs the six steps and records lineage under the workflow ID', async () => {
    first = await run('e2e-first');
    assert.deepEqual(
      first.steps.map((s) => [s.step, s.status]),
      ['get_data', 'preprocess', 'check_data', 'segregate', 'train_random_forest', 'evaluate'].map((s) => [
        s,
        'completed',
      ]),
    );
    assert.ok(first.modelRef?.startsWith('model_export:v'), `model ref ${first.modelRef}`);
    assert.ok(
      first.metrics.test_auc_ovo > 0.6 && first.metrics.test_auc_ovo < 1,
      `test AUC ${first.metrics.test_auc_ovo}`,
    );
    assert.equal(first.promotion?.promoted, true, 'first model becomes prod');
    assert.equal((await store.getAliases('model_export')).prod, Number(first.modelRef?.split(':v')[1]));
    // check_data tagged the first data as the reference dataset.
    assert.ok((await store.getAliases('preprocessed_data')).reference !== undefined);

    const record = await getRunRecord(store, 'e2e-first');
    assert.ok(record, 'run record exists');
    assert.equal(record.status, 'completed');
    assert.equal(record.trigger.kind, 'cli');
    assert.equal(record.configDigest, first.configDigest);
    const train = record.steps.find((s) => s.step === 'train_random_forest');
    assert.ok(train?.consumed[0].digest.length === 64, 'consumed refs carry digests');
    const plan = train?.details?.featurePlan as { features: { numerical: string[] } } | undefined;
    assert.ok(plan && plan.features.numerical.length > 0, 'the feature plan is in the run record');

    const trace = await traceArtifact(store, 'model_export:prod');
    assert.equal(trace.producer?.workflowId, 'e2e-first');
    assert.equal(trace.inputs[0].ref.split(':')[0], 'data_train');
    assert.ok(
      trace.aliasEvents.some((e) => e.alias === 'prod'),
      'the promotion is in the alias history',
    );
  });

  void it('gives a byte-identical model digest for the same config and data, and leaves prod alone', async () => {
    const second = await run('e2e-second');
    const a = first.artifacts.train_random_forest?.[0];
    const b = second.artifacts.train_random_forest?.[0];
    assert.equal(b?.digest, a?.digest);
    assert.equal(b?.reused, true, 'identical content reuses the version, as W&B does');
    assert.equal(second.promotion?.promoted, false);
    const record = await getRunRecord(store, 'e2e-second');
    const consumed = record?.steps.find((s) => s.step === 'check_data')?.consumed ?? [];
    assert.ok(
      consumed.some((r) => r.requested === 'preprocessed_data:reference'),
      'KS ran against the reference',
    );
  });

  void it('evaluates any model ref alone when execute_steps names only evaluate', async () => {
    const input: PipelineInput = {
      overrides: [...overrides, 'main.execute_steps=[evaluate]'],
      inputs: { model: first.modelRef },
    };
    const result: PipelineResult = await env.client.workflow.execute(WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: 'e2e-evaluate-only',
      args: [input],
    });
    assert.deepEqual(
      result.steps.map((s) => s.step),
      ['evaluate'],
    );
    const record = await getRunRecord(store, 'e2e-evaluate-only');
    const consumed = record?.steps[0].consumed.map((r) => r.requested ?? r.ref) ?? [];
    assert.ok(consumed.includes('data_test:latest'), 'the test split resolves by alias');
    assert.ok(consumed.includes(first.modelRef as string), 'the pinned model is scored');
    assert.equal(result.metrics.test_auc_ovo, first.metrics.test_auc_ovo);
  });

  void it('keeps prod when a worse model is trained, recording both scores', async () => {
    const prodBefore = (await store.getAliases('model_export')).prod;
    const worse = await run('e2e-worse', [
      'random_forest_pipeline.random_forest.max_depth=1',
      'random_forest_pipeline.random_forest.n_estimators=3',
    ]);
    assert.equal(worse.promotion?.promoted, false);
    assert.ok((worse.promotion?.prod ?? 0) > worse.promotion!.candidate, JSON.stringify(worse.promotion));
    assert.equal((await store.getAliases('model_export')).prod, prodBefore);
    const record = await getRunRecord(store, 'e2e-worse');
    assert.equal(record?.promotion?.promoted, false);
    assert.match(record?.promotion?.reason ?? '', /not better than model_export:v\d+/);
  });

  void it('fails check_data with every failure named and moves no alias', async () => {
    const before = await allAliases();
    await assert.rejects(
      run('e2e-bad-data', [
        'check_data.ranges={danceability: {max: 0.2}}',
        'check_data.known_classes=[Rap,Pop]',
      ]),
      (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        let message = '';
        for (let cur: unknown = err; cur instanceof Error; cur = (cur as { cause?: unknown }).cause)
          message += cur.message + '\n';
        assert.match(message, /range \[danceability\]/);
        assert.match(message, /class_names \[genre\]/);
        return true;
      },
    );
    const after = await allAliases();
    // preprocess ran before the check and moved latest of raw/preprocessed (a new version each time it is
    // different); nothing downstream of the check moved, and no non-latest alias moved at all.
    for (const name of ['data_train', 'data_test', 'model_export', 'evaluation'])
      assert.deepEqual(after[name], before[name], name);
    for (const [name, aliases] of Object.entries(after)) {
      for (const [alias, v] of Object.entries(aliases))
        if (alias !== 'latest') assert.equal(v, before[name]?.[alias], `${name}:${alias}`);
    }
    const record = await getRunRecord(store, 'e2e-bad-data');
    assert.equal(record?.status, 'failed');
    assert.equal(record?.steps.find((s) => s.step === 'check_data')?.status, 'failed');
  });

  void it('names the data source in the step failure when get_data cannot use it', async () => {
    const headerOnly = join(storeDir, 'header-only.csv');
    writeFileSync(headerOnly, 'danceability,genre\n');
    await assert.rejects(run('e2e-empty-source', [`data.source=${headerOnly}`]), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      // The wrapper that added the source wins over the bare innermost message it contains.
      assert.equal(
        (err.cause as Error).message,
        `step get_data failed: data.source ${headerOnly}: the table has no rows`,
      );
      return true;
    });
  });

  void it('runs when started from the Temporal CLI with input {}', { skip: !findTemporalCli() }, async () => {
    const cli = findTemporalCli() as string;
    const input = JSON.stringify({ overrides });
    execFileSync(cli, [
      'workflow',
      'start',
      '--address',
      env.address,
      '--type',
      WORKFLOW_TYPE,
      '--task-queue',
      TASK_QUEUE,
      '--workflow-id',
      'e2e-temporal-cli',
      '--input',
      input,
    ]);
    const result = (await env.client.workflow.getHandle('e2e-temporal-cli').result()) as PipelineResult;
    assert.ok(result.modelRef);
    assert.equal((await getRunRecord(store, 'e2e-temporal-cli'))?.trigger.kind, 'temporal-cli');
  });

  void it('names the schedule in the lineage of a scheduled run', async () => {
    const handle = await env.client.schedule.create({
      scheduleId: 'e2e-nightly',
      spec: { intervals: [{ every: '1d' }] },
      state: { paused: true },
      action: {
        type: 'startWorkflow',
        workflowType: WORKFLOW_TYPE,
        taskQueue: TASK_QUEUE,
        workflowId: 'e2e-nightly-run',
        args: [{ overrides, trigger: { kind: 'schedule', id: 'e2e-nightly' } } satisfies PipelineInput],
      },
    });
    await handle.trigger();
    let workflowId: string | undefined;
    for (let i = 0; i < 100 && !workflowId; i++) {
      workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(workflowId, 'the schedule started a run');
    await env.client.workflow.getHandle(workflowId).result();
    const record = await getRunRecord(store, workflowId);
    assert.deepEqual(record?.trigger, { kind: 'schedule', id: 'e2e-nightly' });
    await handle.delete();
  });

  void it('replays the recorded history deterministically', async () => {
    const history = await env.client.workflow.getHandle('e2e-first').fetchHistory();
    await Worker.runReplayHistory(
      { workflowsPath: require.resolve('../../src/workflows') },
      history,
      'e2e-first',
    );
    // MLPIPE_RECORD_HISTORY=NAME keeps this run's history as test/fixtures/histories/NAME.json (1 = the
    // original training-pipeline.json); test/workflows/replay.test.ts replays every file there.
    const record = process.env.MLPIPE_RECORD_HISTORY;
    if (record) {
      const name = record === '1' ? 'training-pipeline' : record;
      writeFileSync(join(__dirname, `../fixtures/histories/${name}.json`), historyToJSON(history));
    }
  });
});
