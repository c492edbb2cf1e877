/**
 * The pipeline end to end with its artifacts in a real MinIO: the model lands in S3 and loads by ref
 * and by s3:// URI, no credential reaches the workflow history, the run record or any stored object,
 * and a MinIO outage mid-run is retried until the store is back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import {
  TASK_QUEUE,
  WORKFLOW_TYPE,
  type PipelineInput,
  type PipelineProgress,
  type PipelineResult,
} from '../../src/contract';
import { getRunRecord } from '../../src/lineage/trace';
import { DEFAULT_PROJECT } from '../../src/config';
import { materializeModel, openStore, type ArtifactStore } from '../../src/store/index';
import { findTemporalCli } from '../../src/temporal/dev-server';
import { createPipelineWorker } from '../../src/worker';
import { type RunningMinio, minioSkipReason, startMinio } from '../support/minio';
import { startTemporal } from '../support/temporal';

const SMALL = ['data.sample.rows=2500', 'random_forest_pipeline.random_forest.n_estimators=15'];
const BUCKET = 'pipeline';

function skipReason(): string | false {
  const minio = minioSkipReason();
  if (minio) return minio;
  if (!findTemporalCli()) {
    if (process.env.CI) throw new Error('CI must have the Temporal CLI');
    return 'Temporal CLI not found: pipeline-on-S3 test skipped';
  }
  return false;
}

void describe('trainingPipeline with the S3 store (MinIO)', { skip: skipReason(), timeout: 300_000 }, () => {
  let minio: RunningMinio;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let work: string;
  let store: ArtifactStore;
  let overrides: string[];

  function start(workflowId: string, extra: Partial<PipelineInput> = {}) {
    const input: PipelineInput = { overrides, trigger: { kind: 'cli', id: 'test' }, ...extra };
    return env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  }

  before(async () => {
    minio = await startMinio();
    await minio.createBucket(BUCKET);
    env = await startTemporal();
    work = mkdtempSync(join(tmpdir(), 'mlpipe-s3-e2e-'));
    const uri = `s3://${BUCKET}/runs`;
    store = openStore(uri, { s3: minio.s3, project: DEFAULT_PROJECT });
    overrides = [
      `storage.uri=${uri}`,
      `storage.s3.endpoint=${minio.endpoint}`,
      `storage.s3.region=${minio.region}`,
      ...SMALL,
    ];
    ({ worker } = await createPipelineWorker({
      address: env.address,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      workDir: join(work, 'work'),
    }));
    running = worker.run();
  });

  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await minio?.close();
    rmSync(work, { recursive: true, force: true });
  });

  void it('exports the model to S3 and keeps credentials out of history, records and objects', async () => {
    const handle = await start('s3-e2e-first');
    const result = (await handle.result()) as PipelineResult;
    assert.ok(
      result.steps.every((s) => s.status === 'completed'),
      JSON.stringify(result.steps),
    );
    assert.ok(result.modelRef?.startsWith('model_export:v'));

    const model = await store.resolve(result.modelRef!);
    assert.ok(
      model.files.some((f) => f.path === 'MLmodel'),
      'model_export holds MLmodel',
    );
    const byRef = await materializeModel('model_export:latest', {
      store,
      cacheDir: join(work, 'cache'),
      s3: minio.s3,
    });
    assert.equal(byRef.version?.digest, model.digest);

    const secret = process.env.AWS_SECRET_ACCESS_KEY!;
    const history = JSON.stringify((await handle.fetchHistory()).events);
    assert.ok(history.length > 1000);
    assert.ok(!history.includes(secret), 'the workflow history holds the secret key');
    const record = JSON.stringify(await getRunRecord(store, result.workflowId));
    assert.ok(record.length > 100, 'the run record exists');
    assert.ok(!record.includes(secret), 'the run record holds the secret key');

    const client = new S3Client(minio.s3);
    let token: string | undefined;
    let checked = 0;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const body = Buffer.from(
          await (
            await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }))
          ).Body!.transformToByteArray(),
        );
        assert.ok(!body.includes(secret), `${o.Key} holds the secret key`);
        checked++;
      }
      token = page.NextContinuationToken;
    } while (token);
    assert.ok(checked > 10, `checked ${checked} objects`);
  });

  void it('completes when MinIO goes down mid-run and comes back within the retry policy', async () => {
    // Every step must do its I/O (the first test's run would otherwise serve them from the step cache).
    const handle = await start('s3-e2e-outage', { noCache: true });
    // Wait for the first step to finish, then take the store away while the next steps need it.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const progress = await handle.query<PipelineProgress>('progress');
      if (progress.steps.some((s) => s.status === 'completed')) break;
      if (progress.status !== 'running' || Date.now() > deadline)
        assert.fail(`run ended early: ${JSON.stringify(progress)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    await minio.stop();
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 4_000));
    await minio.start();
    const upAt = Date.now();
    const result = (await handle.result()) as PipelineResult;
    assert.ok(
      result.steps.every((s) => s.status === 'completed'),
      JSON.stringify(result.steps),
    );
    // The run must have felt the outage, or this test proves nothing. A step felt it if Temporal
    // retried it, or if its one attempt was running while MinIO was down and finished only about
    // when MinIO was back: the SDK's own retries and connection timeout can carry a request across
    // a short outage within one attempt, as they did on a slow CI machine. (The margin covers the
    // health check's polling interval, which may see MinIO serving a moment after the step did.)
    const felt = result.steps.filter((s) => {
      if (s.attempts > 1) return true;
      const start = Date.parse(s.startedAt ?? '');
      return start < upAt && start + (s.durationMs ?? 0) > upAt - 1_000;
    });
    assert.ok(
      felt.length > 0,
      `no step was retried or running across the outage (${downAt}..${upAt}): ${JSON.stringify(
        result.steps.map((s) => [s.step, s.attempts, s.startedAt, s.durationMs]),
      )}`,
    );
  });
});
