/**
 * The approval gate (evaluate.approval: required) end to end on a real Temporal dev server and a real
 * filesystem store: approve from `mlpipe approve`, reject from the Temporal CLI, a timeout, and prod
 * moved by hand while a run waits (compared again, never blindly overwritten). Models, by strength:
 * a weak one (depth 1, 3 trees) that is reset as prod before each case, a middling one (depth 3, 5
 * trees) and the default small one (15 trees). The data is seeded, so their order is fixed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { PipelineInput, PipelineProgress, PipelineResult, PromotionDecision } from '../../src/contract';
import { SEARCH_ATTRIBUTES, TASK_QUEUE, WORKFLOW_TYPE } from '../../src/contract';
import { createPipelineWorker } from '../../src/worker';
import { DEFAULT_PROJECT } from '../../src/config';
import { openStore } from '../../src/store';
import type { ArtifactStore } from '../../src/store/types';
import { getRunRecord } from '../../src/lineage/trace';
import { findTemporalCli } from '../../src/temporal/dev-server';
import { startTemporal } from '../support/temporal';

const exec = promisify(execFile);
const CLI = join(__dirname, '../../bin/mlpipe');
const SMALL = ['data.sample.rows=2500', 'random_forest_pipeline.random_forest.n_estimators=15'];
const WEAK = [
  'random_forest_pipeline.random_forest.max_depth=1',
  'random_forest_pipeline.random_forest.n_estimators=3',
];
const MIDDLING = [
  'random_forest_pipeline.random_forest.max_depth=3',
  'random_forest_pipeline.random_forest.n_estimators=5',
];
const GATED = ['evaluate.approval=required'];
const STATUS = defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, 'KEYWORD');

void describe('approval gate end to end', { timeout: 600_000 }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let storeDir: string;
  let store: ArtifactStore;
  let overrides: string[];
  let weak: number;
  let strong: number;
  let middling: number;

  function start(workflowId: string, extra: string[], inputs?: PipelineInput['inputs']) {
    const input: PipelineInput = {
      overrides: [...overrides, ...extra],
      trigger: { kind: 'cli', id: 'test' },
      inputs,
    };
    return env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  }

  async function prod(): Promise<number | undefined> {
    return (await store.getAliases('model_export')).prod;
  }

  async function resetProdTo(version: number): Promise<void> {
    await store.moveAlias('model_export', 'prod', version, {
      reason: 'test: reset the champion',
      actor: 'test',
    });
  }

  /** Polls the progress query until the run waits for a person (or fails the test after 120 s). */
  async function awaitingApproval(handle: WorkflowHandle): Promise<void> {
    for (let i = 0; i < 1200; i++) {
      const progress = await handle.query<PipelineProgress>('progress');
      if (progress.status === 'awaiting_approval') return;
      assert.notEqual(progress.status, 'failed', `${handle.workflowId} failed before the gate`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`${handle.workflowId} never reached awaiting_approval`);
  }

  function update(handle: WorkflowHandle, name: 'approve' | 'reject', input: unknown) {
    return handle.executeUpdate<PromotionDecision, [unknown]>(name, { args: [input] });
  }

  before(async () => {
    env = await startTemporal();
    storeDir = mkdtempSync(join(tmpdir(), 'mlpipe-approval-'));
    store = await openStore(storeDir, { project: DEFAULT_PROJECT });
    overrides = [`storage.uri=${storeDir}`, ...SMALL];
    ({ worker } = await createPipelineWorker({
      address: env.address,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      workDir: join(storeDir, '.work'),
    }));
    running = worker.run();
    // The weak model becomes prod without a gate (approval: none is today's behaviour).
    const base: PipelineResult = await (await start('approval-weak', WEAK)).result();
    assert.equal(base.promotion?.promoted, true);
    weak = Number(base.modelRef?.split(':v')[1]);
  });

  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    rmSync(storeDir, { recursive: true, force: true });
  });

  void it('waits for approval, shows both scores, and moves prod once `mlpipe approve` is given', async () => {
    const handle = await start('approval-approve', GATED);
    // An update while the run is still in its data steps is refused: nothing awaits approval yet.
    await assert.rejects(update(handle, 'approve', { reason: 'too early', actor: 'test' }), (err: Error) => {
      assert.match(
        String((err.cause as Error | undefined)?.message ?? err.message),
        /nothing awaits approval/,
      );
      return true;
    });
    await awaitingApproval(handle);
    assert.equal(await prod(), weak, 'prod does not move before the approval');

    const described = await handle.describe();
    assert.equal(described.typedSearchAttributes.get(STATUS), 'awaiting_approval');
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', /Awaiting approval/);
    assert.match(metadata.currentDetails ?? '', /\| candidate \| model_export:v\d+ \| 0\.\d{4} \|/);
    assert.match(
      metadata.currentDetails ?? '',
      new RegExp(`\\| champion \\| model_export:v${weak} \\| 0\\.\\d{4} \\|`),
    );

    // The validator refuses a malformed input before it enters the history.
    await assert.rejects(update(handle, 'approve', { actor: 'test' }), (err: Error) => {
      assert.match(String((err.cause as Error | undefined)?.message), /"reason" must be a non-empty string/);
      return true;
    });

    const beforeApproval = new Date();
    const t0 = performance.now();
    const { stdout } = await exec(
      process.execPath,
      [
        CLI,
        '--set',
        `storage.uri=${storeDir}`,
        'approve',
        'approval-approve',
        '--reason',
        'checked the report',
        '--actor',
        'alice',
      ],
      { env: { ...process.env, TEMPORAL_ADDRESS: env.address } },
    );
    const roundTripMs = performance.now() - t0;
    assert.match(stdout, /approved by alice; model_export:v\d+ promoted/);
    const result: PipelineResult = await handle.result();
    strong = Number(result.modelRef?.split(':v')[1]);
    assert.equal(await prod(), strong);
    assert.equal(result.promotion?.promoted, true);
    assert.equal(result.promotion?.approval?.decision, 'approved');
    assert.equal(result.promotion?.approval?.actor, 'alice');
    // "What was prod just before the approval?" from the alias history, through the CLI.
    const lineage = await exec(process.execPath, [
      CLI,
      '--set',
      `storage.uri=${storeDir}`,
      'lineage',
      'model_export:prod',
      '--at',
      beforeApproval.toISOString(),
      '--json',
    ]);
    const then = JSON.parse(lineage.stdout) as {
      ref: string;
      requested: string;
      producer: { workflowId: string };
    };
    assert.equal(then.ref, `model_export:v${weak}`);
    assert.equal(then.producer.workflowId, 'approval-weak');

    const move = (await store.aliasHistory('model_export', 'prod')).at(-1);
    assert.deepEqual(
      [move?.from, move?.to, move?.actor, move?.reason],
      [weak, strong, 'alice', 'checked the report'],
    );
    assert.equal(move?.details?.decision, 'approved');
    assert.equal(move?.details?.workflowId, 'approval-approve');
    const record = await getRunRecord(store, 'approval-approve');
    assert.equal(record?.promotion?.approval?.decision, 'approved');
    assert.equal(record?.promotion?.approval?.reason, 'checked the report');
    assert.match(record?.steps.find((s) => s.step === 'evaluate')?.summary ?? '', /approved/);
    // A second decision on a closed run is refused.
    await assert.rejects(update(handle, 'reject', { reason: 'late', actor: 'bob' }));
    console.log(
      `# approval round trip through the CLI: ${Math.round(roundTripMs)} ms with the process start; the command's own: ${/\[(\d+) ms\]/.exec(stdout)?.[1]} ms`,
    );

    const history = await handle.fetchHistory();
    await Worker.runReplayHistory(
      { workflowsPath: require.resolve('../../src/workflows') },
      history,
      'approval-approve',
    );
    if (process.env.MLPIPE_RECORD_HISTORY === 'approval-gate')
      writeFileSync(join(__dirname, '../fixtures/histories/approval-gate.json'), historyToJSON(history));
  });

  void it('keeps prod when the Temporal CLI sends reject', { skip: !findTemporalCli() }, async () => {
    await resetProdTo(weak);
    const handle = await start('approval-reject', [...GATED, ...MIDDLING]);
    await awaitingApproval(handle);
    const { stdout } = await exec(findTemporalCli() as string, [
      'workflow',
      'update',
      'execute',
      '--address',
      env.address,
      '--workflow-id',
      'approval-reject',
      '--name',
      'reject',
      '--input',
      JSON.stringify({ reason: 'drift in the new data', actor: 'bob' }),
    ]);
    assert.match(stdout, /rejected/);
    const result: PipelineResult = await handle.result();
    middling = Number(result.modelRef?.split(':v')[1]);
    assert.notEqual(middling, strong);
    assert.equal(await prod(), weak, 'a rejection keeps prod');
    assert.equal(result.promotion?.promoted, false);
    assert.equal(result.promotion?.approval?.decision, 'rejected');
    assert.match(result.promotion?.reason ?? '', /rejected by bob: drift in the new data/);
    const record = await getRunRecord(store, 'approval-reject');
    assert.equal(record?.promotion?.approval?.actor, 'bob');
  });

  void it('times out as documented: prod kept, decision approval_timed_out', async () => {
    await resetProdTo(weak);
    const handle = await start(
      'approval-timeout',
      [...GATED, 'evaluate.approval_timeout=1s', 'main.execute_steps=[evaluate]'],
      {
        model: `model_export:v${strong}`,
      },
    );
    const result: PipelineResult = await handle.result();
    assert.equal(result.promotion?.approval?.decision, 'approval_timed_out');
    assert.equal(result.promotion?.promoted, false);
    assert.match(result.promotion?.reason ?? '', /no approval within evaluate.approval_timeout 1s/);
    assert.equal(await prod(), weak);
    assert.equal(
      (await getRunRecord(store, 'approval-timeout'))?.promotion?.approval?.decision,
      'approval_timed_out',
    );
  });

  void it('compares again when prod moved while waiting, and never overwrites a better model', async () => {
    // Waiting with the middling candidate against the weak champion; meanwhile prod goes to the strong model.
    await resetProdTo(weak);
    const better = await start('approval-race-lost', [...GATED, 'main.execute_steps=[evaluate]'], {
      model: `model_export:v${middling}`,
    });
    await awaitingApproval(better);
    await store.moveAlias('model_export', 'prod', strong, {
      expected: weak,
      reason: 'hotfix by hand',
      actor: 'carol',
    });
    const decision = await update(better, 'approve', { reason: 'looked fine', actor: 'alice' });
    assert.equal(decision.promoted, false);
    assert.match(
      decision.reason,
      new RegExp(
        `moved from v${weak} while awaiting approval; compared again: not better than model_export:v${strong}`,
      ),
    );
    assert.equal(await prod(), strong, 'the better model stays');
    await better.result();

    // Waiting with the strong candidate against the weak champion; meanwhile prod goes to the middling model.
    await resetProdTo(weak);
    const handle = await start('approval-race-won', [...GATED, 'main.execute_steps=[evaluate]'], {
      model: `model_export:v${strong}`,
    });
    await awaitingApproval(handle);
    await store.moveAlias('model_export', 'prod', middling, {
      expected: weak,
      reason: 'by hand',
      actor: 'carol',
    });
    const won = await update(handle, 'approve', { reason: 'ship it', actor: 'alice' });
    assert.equal(won.promoted, true, won.reason);
    assert.equal(await prod(), strong);
    const move = (await store.aliasHistory('model_export', 'prod')).at(-1);
    assert.deepEqual(
      [move?.from, move?.to, move?.actor, move?.reason],
      [middling, strong, 'alice', 'ship it'],
    );
    assert.equal(move?.details?.recompared, true);
    await handle.result();
  });
});
