/**
 * No run waits for a worker that does not exist: `run --no-wait`, `schedule create` and `schedule
 * trigger` say when nobody polls the task queue (with the command that starts a worker), a scheduled
 * run has a run timeout so a stuck one ends, `schedule describe` shows pollers, runs and status, and
 * `run --no-wait --worker` leaves a detached worker that finishes the run. Real dev server, real CLI.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PipelineResult } from '../../src/contract';
import type { ScheduleDescriptionSummary } from '../../src/cli/schedule-description';
import { createPipelineWorker } from '../../src/worker';
import { startTemporal } from '../support/temporal';

const BIN = join(__dirname, '..', '..', 'bin', 'mlpipe');
const SMALL = ['data.sample.rows=400', 'random_forest_pipeline.random_forest.n_estimators=5'];

void describe('no run waits for a worker that does not exist', { timeout: 600_000 }, () => {
  let env: TestWorkflowEnvironment;
  const work = mkdtempSync(join(tmpdir(), 'mlpipe-no-worker-'));

  function mlpipe(taskQueue: string, args: string[]) {
    const res = spawnSync(process.execPath, [BIN, '--set', `temporal.task_queue=${taskQueue}`, ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, TEMPORAL_ADDRESS: env.address, MLPIPE_STORAGE_URI: join(work, 'store') },
    });
    assert.equal(res.status, 0, `mlpipe ${args.join(' ')}\n${res.stderr}`);
    return res;
  }

  async function until<T>(get: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await get();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  before(async () => {
    env = await startTemporal();
  });
  after(async () => {
    await env?.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  void it('a schedule without a worker says so, and its stuck run times out instead of blocking', async () => {
    const tq = 'tq-no-worker';
    const created = mlpipe(tq, [
      'schedule',
      'create',
      '--id',
      'stuck',
      '--every',
      '1d',
      '--paused',
      '--run-timeout',
      '3s',
    ]);
    assert.match(created.stdout, /run timeout 3s/);
    assert.match(created.stderr, new RegExp(`No worker polls task queue ${tq} on ${env.address}`));
    assert.match(created.stderr, new RegExp(`TEMPORAL_ADDRESS=${env.address} mlpipe worker`));

    const triggered = mlpipe(tq, ['schedule', 'trigger', 'stuck']);
    assert.match(triggered.stderr, /No worker polls task queue/);

    const describeJson = () =>
      JSON.parse(
        mlpipe(tq, ['schedule', 'describe', 'stuck', '--json']).stdout,
      ) as ScheduleDescriptionSummary;
    const timedOut = await until(async () => {
      const d = describeJson();
      return d.recentRuns[0]?.status === 'TIMED_OUT' ? d : undefined;
    });
    assert.equal(timedOut.pollers.length, 0);
    assert.equal(timedOut.runTimeout, '3 s');
    assert.equal(timedOut.overlap, 'SKIP');

    const text = mlpipe(tq, ['schedule', 'describe', 'stuck']).stdout;
    assert.match(text, /Workers: none polls task queue tq-no-worker/);
    assert.match(text, /stuck-run-\S+\s+│\s+\S+ \S+\s+│\s+TIMED_OUT/);
    assert.doesNotMatch(text, /^\{/, 'a table, not JSON');
  });

  void it('a schedule with a worker lists it, and its runs complete', async () => {
    const tq = 'tq-with-worker';
    const { worker, connection } = await createPipelineWorker({
      address: env.address,
      namespace: 'default',
      taskQueue: tq,
      workDir: join(work, 'work'),
    });
    const running = worker.run();
    try {
      await until(async () => (worker.getState() === 'RUNNING' ? true : undefined));
      const created = mlpipe(tq, [
        'schedule',
        'create',
        '--id',
        'served',
        '--every',
        '1d',
        '--paused',
        ...[...SMALL, `storage.uri=${join(work, 'store')}`].flatMap((s) => ['--set', s]),
      ]);
      assert.match(created.stdout, /run timeout 1d/, 'the default run timeout');
      assert.doesNotMatch(created.stderr, /No worker polls/);
      const triggered = mlpipe(tq, ['schedule', 'trigger', 'served']);
      assert.doesNotMatch(triggered.stderr, /No worker polls/);
      const run = await until(
        async () =>
          (await env.client.schedule.getHandle('served').describe()).info.recentActions[0]?.action.workflow,
      );
      await env.client.workflow.getHandle(run.workflowId).result();
      const done = JSON.parse(
        mlpipe(tq, ['schedule', 'describe', 'served', '--json']).stdout,
      ) as ScheduleDescriptionSummary;
      assert.equal(done.recentRuns[0]?.status, 'COMPLETED');
      assert.ok(done.pollers.length >= 1, 'the in-process worker is listed');
      assert.ok(done.pollers[0].kinds.includes('workflow'));
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  });

  void it('run --no-wait without a worker says so; with --worker a detached worker finishes the run', async () => {
    const tq = 'tq-no-wait';
    const alone = mlpipe(tq, [
      'run',
      '--no-wait',
      '--id',
      'nowait-alone',
      ...SMALL.flatMap((s) => ['--set', s]),
    ]);
    assert.match(alone.stderr, /No worker polls task queue tq-no-wait.*this run will wait until one does/);
    await env.client.workflow.getHandle('nowait-alone').terminate('test: nobody runs it');

    const detached = mlpipe(tq, [
      'run',
      '--no-wait',
      '--worker',
      '--id',
      'nowait-detached',
      ...SMALL.flatMap((s) => ['--set', s]),
    ]);
    assert.doesNotMatch(detached.stderr, /No worker polls/);
    assert.match(detached.stdout, /A detached worker \(pid (\d+)\) runs it and exits when it ends/);
    const pid = Number(/pid (\d+)/.exec(detached.stdout)?.[1]);
    const result = (await env.client.workflow.getHandle('nowait-detached').result()) as PipelineResult;
    assert.ok(result.modelRef?.startsWith('model_export:v'));
    await until(() => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    }, 60_000);
  });
});
