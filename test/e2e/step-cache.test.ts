/**
 * The step cache end to end, on a real Temporal dev server and a real filesystem store: a second
 * run is all hits, a forest hyperparameter re-runs only train and evaluate, a deleted output and an
 * unreadable record are misses, two concurrent runs agree, and `resume` continues a run that failed
 * in any step, with and without a config patch. Each scenario uses its own sample seed, so its data
 * (and every key after get_data) is its own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { PipelineInput, PipelineResult, StepName } from '../../src/contract';
import { STEP_NAMES, SWEEP_WORKFLOW_TYPE, TASK_QUEUE, WORKFLOW_TYPE } from '../../src/contract';
import type { SweepInput, SweepResult } from '../../src/workflows/sweep-pipeline';
import { createPipelineWorker, storeOpener } from '../../src/worker';
import { createActivities, type ActivityDeps } from '../../src/activities';
import { DEFAULT_PROJECT, projectRoot } from '../../src/config';
import { readCodeVersion } from '../../src/code-version';
import { openStore } from '../../src/store';
import type { ArtifactStore } from '../../src/store/types';
import { keys } from '../../src/store/keys';
import { entryRecordKey } from '../../src/cache/entry';
import { getRunRecord, resumedBy, traceArtifact, formatRun } from '../../src/lineage/trace';
import { startTemporal } from '../support/temporal';

const SMALL = ['data.sample.rows=1500', 'random_forest_pipeline.random_forest.n_estimators=8'];
const STEP_ACTIVITY: Record<StepName, string> = {
  get_data: 'getData',
  preprocess: 'preprocess',
  check_data: 'checkData',
  segregate: 'segregate',
  train_random_forest: 'trainRandomForest',
  evaluate: 'evaluate',
};

const ran = (r: PipelineResult) => r.steps.filter((s) => !s.cache?.hit).map((s) => s.step);
const hits = (r: PipelineResult) => r.steps.filter((s) => s.cache?.hit).map((s) => s.step);

void describe('step cache end to end', { timeout: 600_000 }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let storeDir: string;
  /** Run records are shared by every project. */
  let store: ArtifactStore;
  /** Steps whose activity fails (non-retryably) before doing anything: a crash in that step. */
  const failIn = new Set<StepName>();

  /** Each scenario's own data and project (its own reference, contract, prod and cache records). */
  const overrides = (seed: number, extra: string[] = []) => [
    `storage.uri=${storeDir}`,
    ...SMALL,
    `data.sample.seed=${seed}`,
    `main.project_name=p${seed}`,
    ...extra,
  ];
  const storeOf = (seed: number) => openStore(storeDir, { project: `p${seed}` });

  function start(workflowId: string, input: PipelineInput): Promise<PipelineResult> {
    return env.client.workflow.execute(WORKFLOW_TYPE, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  }

  before(async () => {
    env = await startTemporal();
    storeDir = mkdtempSync(join(tmpdir(), 'mlpipe-cache-e2e-'));
    store = openStore(storeDir, { project: DEFAULT_PROJECT });
    const deps: ActivityDeps = {
      workDir: join(storeDir, '.work'),
      storeFor: storeOpener(projectRoot()),
      codeVersion: readCodeVersion(projectRoot()),
      searchAttributes: true,
    };
    const activities: Record<string, unknown> = createActivities(deps);
    for (const step of STEP_NAMES) {
      const real = activities[STEP_ACTIVITY[step]] as (x: unknown) => Promise<unknown>;
      activities[STEP_ACTIVITY[step]] = (x: unknown) => {
        if (failIn.has(step))
          throw ApplicationFailure.nonRetryable(`injected crash in ${step}`, 'InjectedCrash');
        return real(x);
      };
    }
    ({ worker } = await createPipelineWorker({
      address: env.address,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      workDir: deps.workDir,
      worker: { activities },
    }));
    running = worker.run();
  });

  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    rmSync(storeDir, { recursive: true, force: true });
  });

  void it('serves a second unchanged run from the cache, and says why a step ran', async () => {
    const first = await start('cache-first', { overrides: overrides(1) });
    assert.deepEqual(hits(first), []);
    assert.equal(first.steps[0].cache?.reason, 'no earlier run of this step');
    const second = await start('cache-second', { overrides: overrides(1) });
    // check_data ran once more: the first run had no reference dataset yet (it tagged its own data).
    assert.deepEqual(ran(second), ['check_data']);
    assert.match(
      second.steps[2].cache?.reason ?? '',
      /preprocessed_data:reference none → preprocessed_data:v\d+/,
    );
    const third = await start('cache-third', { overrides: overrides(1) });
    assert.deepEqual(hits(third), [...STEP_NAMES]);
    for (const s of third.steps.slice(0, 5)) assert.equal(s.attempts, 0, `${s.step} did no work`);
    assert.equal(third.steps[0].cache?.from, 'cache-first/get_data');
    assert.equal(third.steps[0].cache?.key, first.steps[0].cache?.key);
    assert.equal(third.modelRef, first.modelRef);
    assert.equal(third.metrics.test_auc_ovo, first.metrics.test_auc_ovo);
    // evaluate's scores are cached, its decision is made again: prod is the same model, so kept.
    assert.equal(third.promotion?.promoted, false);
    assert.match(third.steps[5].summary ?? '', /cached from cache-first\/evaluate: .*decided again/);

    // The record and lineage name the run that produced a reused output.
    const record = await getRunRecord(store, 'cache-third');
    const train = record?.steps.find((s) => s.step === 'train_random_forest');
    assert.equal(train?.cache?.hit, true);
    assert.match(
      formatRun(record!),
      /out model_export:v\d+ \(cached: produced by cache-first\/train_random_forest\)/,
    );
    const trace = await traceArtifact(storeOf(1), third.modelRef!);
    assert.equal(trace.producer?.workflowId, 'cache-first');
  });

  void it('re-runs only train and evaluate for a changed forest hyperparameter, and nothing for min_delta', async () => {
    const depth = await start('cache-depth', {
      overrides: overrides(1, ['random_forest_pipeline.random_forest.max_depth=5']),
    });
    assert.deepEqual(ran(depth), ['train_random_forest', 'evaluate']);
    assert.equal(depth.steps[4].cache?.reason, 'random_forest_pipeline.random_forest.max_depth 13 → 5');
    assert.match(
      depth.steps[5].cache?.reason ?? '',
      /^input model_export changed \(model_export:v\d+ → model_export:v\d+\)$/,
    );
    const delta = await start('cache-min-delta', { overrides: overrides(1, ['evaluate.min_delta=0.5']) });
    assert.deepEqual(ran(delta), []);
    const forced = await start('cache-forced', { overrides: overrides(1), force: ['segregate'] });
    assert.deepEqual(ran(forced), ['segregate']);
    assert.equal(forced.steps[3].cache?.reason, 'forced (--force segregate)');
    const none = await start('cache-none', { overrides: overrides(1), noCache: true });
    assert.deepEqual(ran(none), [...STEP_NAMES]);
  });

  void it('misses when a cached output was deleted, and when its record is corrupt or newer', async () => {
    const base = await start('cache-del-1', { overrides: overrides(2) });
    await start('cache-del-2', { overrides: overrides(2) }); // check_data against the reference
    const model = base.artifacts.train_random_forest![0];
    const p2 = storeOf(2);
    const version = await p2.resolve(model.ref);
    for (const f of version.files)
      rmSync(join(storeDir, keys.blob(f.pack?.sha256 ?? f.sha256)), { force: true });
    const afterDelete = await start('cache-del-3', { overrides: overrides(2) });
    assert.deepEqual(ran(afterDelete), ['train_random_forest']);
    assert.equal(afterDelete.steps[4].cache?.reason, `cached output ${model.ref} lost its files`);
    assert.ok(await p2.hasContent(await p2.resolve(model.ref)), 'the re-run stored the files again');

    const segregateKey = afterDelete.steps[3].cache!.key;
    const recordFile = join(storeDir, 'records', `${entryRecordKey('p2', 'segregate', segregateKey)}.json`);
    writeFileSync(recordFile, '{"format": 1, "ke');
    const corrupt = await start('cache-del-4', { overrides: overrides(2) });
    assert.deepEqual(ran(corrupt), ['segregate']);
    assert.match(corrupt.steps[3].cache?.warning ?? '', /not valid JSON/);
    await store.putRecord(entryRecordKey('p2', 'segregate', segregateKey), { format: 99 });
    const newer = await start('cache-del-5', { overrides: overrides(2) });
    assert.deepEqual(ran(newer), ['segregate']);
    assert.match(newer.steps[3].cache?.warning ?? '', /format 99, newer than this mlpipe reads/);
    assert.deepEqual(
      ran(await start('cache-del-6', { overrides: overrides(2) })),
      [],
      'the entry was written again',
    );
  });

  void it('completes two concurrent runs with the same keys, with the same outputs', async () => {
    // Each step is computed by whichever run looks it up first; the other computes it too if it looks
    // before that run has recorded it (both publish byte-identical content: the store keeps one
    // version where the publishes do not overlap, and the entry written last stands), or reuses it.
    const [a, b] = await Promise.all([
      start('cache-race-a', { overrides: overrides(3) }),
      start('cache-race-b', { overrides: overrides(3) }),
    ]);
    for (const [i, step] of STEP_NAMES.entries()) {
      const from = [a.steps[i].cache?.from, b.steps[i].cache?.from];
      assert.ok(
        !(a.steps[i].cache?.hit && b.steps[i].cache?.hit),
        `${step}: one of the two computed it (${from.join(', ')})`,
      );
      for (const f of from) if (f) assert.match(f, /^cache-race-[ab]\//);
    }
    // check_data's report and contract are its own (no later step reads them): the data must agree.
    for (const step of ['get_data', 'preprocess', 'segregate', 'train_random_forest'] as const)
      assert.deepEqual(
        a.artifacts[step]?.map((r) => r.digest),
        b.artifacts[step]?.map((r) => r.digest),
        step,
      );
    assert.equal(a.metrics.test_auc_ovo, b.metrics.test_auc_ovo);
    assert.equal(a.steps[4].cache?.key, b.steps[4].cache?.key);
    const c = await start('cache-race-c', { overrides: overrides(3) });
    assert.ok(['cache-race-a', 'cache-race-b'].includes(c.steps[4].cache?.from?.split('/')[0] ?? ''));
  });

  for (const [i, step] of STEP_NAMES.entries()) {
    void it(`resumes a run that crashed in ${step}, without a patch`, async () => {
      const id = `cache-crash-${step}`;
      failIn.add(step);
      try {
        // A project's first run tags its data as the reference, so the run after it checks the data
        // anew (another key); checking against the latest data without a contract keeps check_data's
        // key the same across the two runs, so the resume shows the crash alone.
        await assert.rejects(
          start(id, {
            overrides: overrides(100 + i, [
              'data.reference_dataset=preprocessed_data:latest',
              'check_data.contract=false',
            ]),
          }),
          WorkflowFailedError,
        );
      } finally {
        failIn.delete(step);
      }
      // The earlier run's record is read from the store this input names (the CLI passes its settings).
      const resumed = await start(`${id}-resumed`, { resume: id, overrides: [`storage.uri=${storeDir}`] });
      assert.deepEqual(hits(resumed), STEP_NAMES.slice(0, i), 'the steps before the crash are reused');
      for (const s of resumed.steps.slice(0, i)) assert.equal(s.cache?.from, `${id}/${s.step}`);
      assert.equal(resumed.steps[i].cache?.reason, `not completed in ${id}`);
      assert.ok(resumed.modelRef);
      const record = await getRunRecord(store, `${id}-resumed`);
      assert.equal(record?.resumes, id);
      assert.deepEqual(
        (await resumedBy(store, id)).map((r) => r.workflowId),
        [`${id}-resumed`],
        "the old run's lineage links to the new one",
      );
    });
  }

  /** Per step, a patch of a key that step reads (evaluate's decision keys are read by no key). */
  const PATCHES: Record<StepName, [key: string, before: string, after: string]> = {
    get_data: ['data.sample.rows', '1500', '1400'],
    preprocess: ['preprocess.drop_duplicates', 'true', 'false'],
    check_data: ['data.ks_alpha', '0.05', '0.01'],
    segregate: ['data.test_size', '0.3', '0.25'],
    train_random_forest: ['random_forest_pipeline.random_forest.max_depth', '13', '6'],
    evaluate: ['evaluate.min_delta', '0', '0.001'],
  };
  for (const [i, step] of STEP_NAMES.entries()) {
    void it(`resumes a run that crashed in ${step}, with a patch of a key it reads`, async () => {
      const id = `cache-patched-${step}`;
      const [key, from, to] = PATCHES[step];
      failIn.add(step);
      try {
        await assert.rejects(
          start(id, {
            overrides: overrides(400 + i, [
              'data.reference_dataset=preprocessed_data:latest',
              'check_data.contract=false',
            ]),
          }),
          WorkflowFailedError,
        );
      } finally {
        failIn.delete(step);
      }
      const resumed = await start(`${id}-resumed`, {
        resume: id,
        overrides: [`storage.uri=${storeDir}`, `${key}=${to}`],
      });
      assert.deepEqual(
        hits(resumed),
        STEP_NAMES.slice(0, i),
        'the steps before it, which do not read the key',
      );
      assert.equal(
        resumed.steps[i].cache?.reason,
        step === 'evaluate' ? `not completed in ${id}` : `${key} ${from} → ${to} (against ${id})`,
      );
      assert.ok(resumed.modelRef);
    });
  }

  void it('resumes a run that failed on its config, with the patch, and names the patched key', async () => {
    await assert.rejects(
      start('cache-patch-check', {
        overrides: overrides(200, [
          'check_data.min_rows=100000',
          'data.reference_dataset=preprocessed_data:latest',
          'check_data.contract=false',
        ]),
      }),
      WorkflowFailedError,
    );
    const resumed = await start('cache-patch-check-resumed', {
      resume: 'cache-patch-check',
      overrides: [`storage.uri=${storeDir}`, 'check_data.min_rows=10'],
    });
    assert.deepEqual(hits(resumed), ['get_data', 'preprocess']);
    assert.equal(
      resumed.steps[2].cache?.reason,
      'check_data.min_rows 100000 → 10 (against cache-patch-check)',
    );
    const record = await getRunRecord(store, 'cache-patch-check-resumed');
    assert.equal(
      (record?.config as { data: { sample: { seed: number } } }).data.sample.seed,
      200,
      'the earlier config',
    );
    // A resume of the resumed run keeps both layers: the first run's settings and the patch.
    const again = await start('cache-patch-check-again', {
      resume: 'cache-patch-check-resumed',
      overrides: [`storage.uri=${storeDir}`],
    });
    assert.deepEqual(ran(again), []);
    assert.equal(again.configDigest, resumed.configDigest);
  });

  void it('resumes a run whose source was missing once the source is patched', async () => {
    const missing = join(storeDir, 'missing.csv');
    await assert.rejects(
      start('cache-patch-source', { overrides: overrides(201, [`data.source=${missing}`]) }),
      WorkflowFailedError,
    );
    const resumed = await start('cache-patch-source-resumed', {
      resume: 'cache-patch-source',
      overrides: [`storage.uri=${storeDir}`, 'data.source=sample:genres'],
    });
    assert.equal(resumed.steps[0].cache?.hit, false);
    assert.match(resumed.steps[0].cache?.reason ?? '', new RegExp(`data.source ${missing} → sample:genres`));
    assert.ok(resumed.modelRef);
    assert.ok(readdirSync(join(storeDir, 'records', 'resumed-by')).length > 0);
  });

  void it('reuses the data steps and equal trials across sweeps', async () => {
    const sweep = (id: string): Promise<SweepResult> =>
      env.client.workflow.execute(SWEEP_WORKFLOW_TYPE, {
        taskQueue: TASK_QUEUE,
        workflowId: id,
        args: [
          {
            base: overrides(300, [
              'data.reference_dataset=preprocessed_data:latest',
              'check_data.contract=false',
            ]),
            trials: [['random_forest_pipeline.random_forest.max_depth=4']],
            maxParallel: 1,
          } satisfies SweepInput,
        ],
      });
    const first = await sweep('cache-sweep-1');
    const second = await sweep('cache-sweep-2');
    const dataSteps = (await getRunRecord(store, second.dataWorkflowId))?.steps ?? [];
    assert.deepEqual(
      dataSteps.map((s) => [s.step, s.cache?.from]),
      ['get_data', 'preprocess', 'check_data', 'segregate'].map((step) => [
        step,
        `cache-sweep-1-data/${step}`,
      ]),
    );
    assert.deepEqual(second.data, first.data, 'the same train and test versions');
    const trial = await getRunRecord(store, second.trials[0].workflowId);
    assert.equal(trial?.steps[0].cache?.from, `${first.trials[0].workflowId}/train_random_forest`);
    assert.equal(second.trials[0].modelRef, first.trials[0].modelRef);
  });
});
