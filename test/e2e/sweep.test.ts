/**
 * A 2-trial sweep on a real dev server: the data steps run once, trials run as child workflows on
 * the same data artifacts, the parent links them, and the sweep survives a worker restart.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SWEEP_WORKFLOW_TYPE, TASK_QUEUE } from '../../src/contract';
import type { SweepInput, SweepResult } from '../../src/workflows/sweep-pipeline';
import { DEFAULT_PROJECT, parseSweep } from '../../src/config';
import { createPipelineWorker } from '../../src/worker';
import { openStore } from '../../src/store';
import { getRunRecord } from '../../src/lineage/trace';
import { startTemporal } from '../support/temporal';

let env: TestWorkflowEnvironment;
let storeDir: string;

before(async () => {
  env = await startTemporal();
  storeDir = mkdtempSync(join(tmpdir(), 'mlpipe-sweep-'));
});

after(async () => {
  await env?.teardown();
  rmSync(storeDir, { recursive: true, force: true });
});

async function startWorker() {
  const { worker } = await createPipelineWorker({
    address: env.address,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workDir: join(storeDir, '.work'),
  });
  return { worker, running: worker.run() };
}

void it(
  'runs the data steps once, trials in parallel, and survives a worker restart',
  { timeout: 300_000 },
  async () => {
    const input: SweepInput = {
      base: [`storage.uri=${storeDir}`, 'data.sample.rows=2000'],
      trials: parseSweep([
        'random_forest_pipeline.random_forest.max_depth=3,8',
        'random_forest_pipeline.random_forest.n_estimators=10',
      ]),
      maxParallel: 2,
      metric: 'val_auc_ovo',
    };
    assert.equal(input.trials.length, 2);
    const handle = await env.client.workflow.start(SWEEP_WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: 'sweep-e2e',
      args: [input],
    });

    // First worker: stop it as soon as the data child has finished, mid-sweep.
    const first = await startWorker();
    const dataHandle = env.client.workflow.getHandle('sweep-e2e-data');
    for (let i = 0; i < 600; i++) {
      try {
        await Promise.race([
          dataHandle.result(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('wait')), 200)),
        ]);
        break;
      } catch {
        /* not finished yet */
      }
    }
    first.worker.shutdown();
    await first.running;

    const second = await startWorker();
    const result = (await handle.result()) as SweepResult;
    second.worker.shutdown();
    await second.running;

    assert.equal(result.trials.length, 2);
    assert.ok(
      result.trials.every((t) => t.status === 'completed'),
      JSON.stringify(result.trials),
    );
    assert.ok(result.best?.modelRef, 'a best trial with a model ref');
    assert.ok((result.trials[0].metric ?? 0) >= (result.trials[1].metric ?? 0), 'sorted by the metric');

    const store = await openStore(storeDir, { project: DEFAULT_PROJECT });
    // The data steps ran once: exactly one version of each data artifact.
    assert.equal((await store.listVersions('data_train')).length, 1);
    for (const t of result.trials) {
      const record = await getRunRecord(store, t.workflowId);
      assert.equal(record?.parentWorkflowId, 'sweep-e2e', 'the parent links every trial');
      assert.equal(record?.trigger.kind, 'sweep');
      assert.equal(
        record?.steps.find((s) => s.step === 'train_random_forest')?.consumed[0].ref,
        result.data.train,
      );
    }
    // Trials do not promote: prod stays unset by a sweep.
    assert.equal((await store.getAliases('model_export')).prod, undefined);
  },
);
