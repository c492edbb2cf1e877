/**
 * Alias events from real pipeline runs on a real Temporal dev server: a webhook that stays down for
 * the whole run never holds up or fails the promotion, and the delivery succeeds on redelivery; a
 * configured Temporal workflow is signalled with start, with the move as the signal's argument.
 * Also the storeGc workflow (scheduled GC) on the store those runs left.
 * MLPIPE_RECORD_HISTORY=alias-events keeps the first run's history as
 * test/fixtures/histories/alias-events.json (replayed by test/workflows/replay.test.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { PipelineInput, PipelineResult } from '../../src/contract';
import { TASK_QUEUE, WORKFLOW_TYPE } from '../../src/contract';
import { createPipelineWorker } from '../../src/worker';
import { DEFAULT_PROJECT } from '../../src/config';
import { openStore } from '../../src/store';
import type { VersionedArtifactStore } from '../../src/store/versioned-store';
import { isFailed, listDeliveries, redeliver } from '../../src/events/deliver';
import { deliverySettings } from '../../src/events/settings';
import type { AliasEventPayload } from '../../src/events/payload';
import { startTemporal } from '../support/temporal';
import { closedPort, startReceiver } from '../support/webhook-receiver';

const SMALL = ['data.sample.rows=1500', 'random_forest_pipeline.random_forest.n_estimators=10'];
const SECRET_ENV = 'MLPIPE_E2E_WEBHOOK_SECRET';

void describe('alias events from pipeline runs', { timeout: 300_000 }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let storeDir: string;
  let store: VersionedArtifactStore;
  const secret = randomBytes(16).toString('hex');

  function run(
    workflowId: string,
    events: Record<string, unknown>,
    extra: string[] = [],
  ): Promise<PipelineResult> {
    const input: PipelineInput = {
      overrides: [`storage.uri=${storeDir}`, ...SMALL, ...extra],
      config: { events },
      trigger: { kind: 'cli', id: 'test' },
    };
    return env.client.workflow.execute(WORKFLOW_TYPE, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  }

  before(async () => {
    process.env[SECRET_ENV] = secret;
    env = await startTemporal();
    storeDir = mkdtempSync(join(tmpdir(), 'mlpipe-e2e-events-'));
    store = openStore(storeDir, { project: DEFAULT_PROJECT });
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
    delete process.env[SECRET_ENV];
  });

  void it('a webhook down for the whole run: the promotion completes, and redelivery succeeds later', async () => {
    const port = await closedPort();
    const events = {
      webhooks: [{ url: `http://127.0.0.1:${port}/hooks/mlpipe`, secret_env: SECRET_ENV }],
      attempts: 2,
      initial_interval: '100ms',
      timeout: '1s',
    };
    const t0 = Date.now();
    const result = await run('e2e-events-down', events);
    const tookMs = Date.now() - t0;
    assert.equal(result.promotion?.promoted, true);
    assert.equal(`model_export:v${(await store.getAliases('model_export')).prod}`, result.modelRef);
    // The workflow waited for the delivery attempts (2 tries, 100 ms apart), not for a timeout.
    const delivery = (await env.client.workflow.getHandle('e2e-events-down').fetchHistory()).events?.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverAliasEvents',
    );
    assert.equal(delivery?.length, 1, 'one delivery activity after the steps');
    console.log(`run with the webhook down took ${tookMs} ms`);

    const failed = (await listDeliveries(store)).filter(isFailed);
    const ids = failed.map((r) => r.id).sort();
    // prod's move, and check_data's: the reference dataset and its inferred data contract.
    assert.deepEqual(ids, [
      'default/data_contract/reference/1',
      'default/model_export/prod/1',
      'default/preprocessed_data/reference/1',
    ]);
    assert.match(Object.values(failed[0].sinks)[0].lastError ?? '', /ECONNREFUSED/);

    const receiver = await startReceiver(secret, port);
    try {
      const summary = await redeliver(
        store,
        deliverySettings({
          ...events,
          temporal: null,
          webhooks: [{ url: events.webhooks[0].url, secret_env: SECRET_ENV }],
        }),
        { failed: true },
      );
      assert.deepEqual(summary.delivered.sort(), ids);
      assert.deepEqual([...receiver.applied].sort(), ids);
      assert.ok(
        receiver.requests.every((r) => r.status === 200),
        'every signature checked',
      );
    } finally {
      await receiver.close();
    }

    const history = await env.client.workflow.getHandle('e2e-events-down').fetchHistory();
    // The webhook secret is in no payload of the run's history, nor in any record the store holds.
    assert.ok(!historyToJSON(history).includes(secret), 'the secret is not in the workflow history');
    for (const r of await listDeliveries(store)) assert.ok(!JSON.stringify(r).includes(secret));
    await Worker.runReplayHistory(
      { workflowsPath: require.resolve('../../src/workflows') },
      history,
      'e2e-events-down',
    );
    if (process.env.MLPIPE_RECORD_HISTORY === 'alias-events')
      writeFileSync(join(__dirname, '../fixtures/histories/alias-events.json'), historyToJSON(history));
  });

  void it('signals a configured Temporal workflow with start, once per move', async () => {
    const deployId = 'e2e-deploy-prod';
    // A project of its own: its first model takes prod, and its data becomes the reference.
    const result = await run(
      'e2e-events-temporal',
      {
        temporal: {
          workflow_type: 'deployModel',
          workflow_id: deployId,
          task_queue: 'e2e-deploy',
          signal: 'aliasMoved',
        },
      },
      ['main.project_name=events2'],
    );
    assert.equal(result.promotion?.promoted, true);
    const history = await env.client.workflow.getHandle(deployId).fetchHistory();
    const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
    assert.deepEqual(
      signals.map((s) => s.workflowExecutionSignaledEventAttributes?.signalName),
      ['aliasMoved', 'aliasMoved', 'aliasMoved'],
    );
    const payloads = signals.map((s) =>
      env.client.options.loadedDataConverter.payloadConverter.fromPayload<AliasEventPayload>(
        s.workflowExecutionSignaledEventAttributes!.input!.payloads![0],
      ),
    );
    assert.deepEqual(payloads.map((p) => p.id).sort(), [
      'events2/data_contract/reference/1',
      'events2/model_export/prod/1',
      'events2/preprocessed_data/reference/1',
    ]);
    assert.equal(payloads.find((p) => p.ref === 'model_export:prod')?.to, result.modelRef);
    await env.client.workflow.getHandle(deployId).terminate('test over');
  });

  void it('storeGc, the workflow a schedule runs, collects what the runs no longer need', async () => {
    const file = join(storeDir, 'scratch.txt');
    for (const text of ['one', 'two']) {
      writeFileSync(file, text);
      await store.publish({ name: 'scratch', type: 'scratch', files: [{ path: 'x.txt', source: file }] });
    }
    const summary = await env.client.workflow.execute('storeGc', {
      taskQueue: TASK_QUEUE,
      workflowId: 'e2e-store-gc',
      args: [
        { overrides: [`storage.uri=${storeDir}`, 'gc.keep_last=1', 'gc.older_than=1ms', 'gc.grace=1ms'] },
      ],
    });
    assert.deepEqual(summary.deleted, ['default/scratch:v0']);
    assert.ok(summary.bytesFreed > 0);
    assert.deepEqual(await store.listVersionNumbers('scratch'), [1]);
    // Both runs' models and their lineage are still whole.
    for (const project of ['default', 'events2'])
      await store.download(
        await store.resolve(`${project}/model_export:prod`),
        join(storeDir, '.check', project),
      );
  });
});
