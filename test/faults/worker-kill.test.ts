/**
 * Fault injection (issue 17 part 3, first fault): kill -9 of the worker process in the middle of a step.
 * A real dev server, real `mlpipe worker` processes, a real filesystem store. The run must complete on a
 * second worker, and its model digest must equal that of an uninterrupted run of the same config (in the
 * same store: the config, store URI included, is part of what the export records).
 * `npm test` tries it once (during the fit); `npm run test:faults` (MLPIPE_FAULT_TRIES=10) spreads the
 * tries over the steps and prints how many survived.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PipelineInput, PipelineResult } from '../../src/contract';
import { WORKFLOW_TYPE } from '../../src/contract';
import { liveTaskQueuePollers } from '../../src/temporal/pollers';
import { startTemporal } from '../support/temporal';

const BIN = join(__dirname, '..', '..', 'bin', 'mlpipe');
const TASK_QUEUE = 'faults-worker-kill';
const TRIES = Number(process.env.MLPIPE_FAULT_TRIES ?? 1);
// A short heartbeat timeout on the fit, and short step timeouts, so a dead worker's activity is retried soon.
const FAULT_SETTINGS = [
  'data.sample.rows=1500',
  'random_forest_pipeline.random_forest.n_estimators=40',
  'steps.defaults.start_to_close_timeout=45s',
  'steps.train_random_forest.heartbeat_timeout=5s',
  'steps.defaults.retry.initial_interval=500ms',
];
const ACTIVITY_OF: Record<string, string> = {
  get_data: 'getData',
  preprocess: 'preprocess',
  check_data: 'checkData',
  segregate: 'segregate',
  train_random_forest: 'trainRandomForest',
  evaluate: 'evaluate',
};
// The fit first (the step that matters most), then every step in turn.
const STEPS = ['train_random_forest', 'get_data', 'preprocess', 'check_data', 'segregate', 'evaluate'];

let env: TestWorkflowEnvironment;
const work = mkdtempSync(join(tmpdir(), 'mlpipe-faults-'));
const workers = new Set<ChildProcess>();

before(async () => {
  env = await startTemporal();
});
after(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await env?.teardown();
  rmSync(work, { recursive: true, force: true });
});

async function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, '--set', `temporal.task_queue=${TASK_QUEUE}`, 'worker'], {
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, MLPIPE_LOG_LEVEL: 'WARN' },
    stdio: 'ignore',
  });
  workers.add(child);
  child.once('exit', () => workers.delete(child));
  const identity = `${child.pid}@`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const pollers = await liveTaskQueuePollers(env.client, 'default', TASK_QUEUE);
    if (pollers.some((p) => p.identity.startsWith(identity))) return child;
    if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('the worker did not start polling within 120 s');
}

function run(workflowId: string, storeDir: string) {
  const input: PipelineInput = {
    overrides: [`storage.uri=${storeDir}`, ...FAULT_SETTINGS],
    trigger: { kind: 'cli', id: 'faults' },
    // Every try must do the work it interrupts: with the step cache, a run in the baseline's store
    // would reuse every step and there would be nothing to kill.
    noCache: true,
  };
  return env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
}

/** Waits until `activity` is running on a worker (for the fit: until it has heartbeated trees). */
async function untilRunning(handle: Awaited<ReturnType<typeof run>>, activity: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    const p = pending.find((a) => a.activityType?.name === activity);
    // 2 = PENDING_ACTIVITY_STATE_STARTED
    if (p && Number(p.state) === 2 && (activity !== 'trainRandomForest' || p.heartbeatDetails)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${activity} did not start within 180 s`);
}

void it(
  `kill -9 of the worker during a step: the run completes with the uninterrupted digest (${TRIES} tries)`,
  { timeout: 60 * 60_000 },
  async () => {
    let worker = await startWorker();
    const baseline = (await (await run('faults-baseline', join(work, 'store'))).result()) as PipelineResult;
    const digest = baseline.artifacts.train_random_forest?.[0]?.digest;
    assert.ok(digest, 'the uninterrupted run trained a model');

    const outcomes: string[] = [];
    for (let t = 0; t < TRIES; t++) {
      const step = STEPS[t % STEPS.length];
      const handle = await run(`faults-kill-${t}-${step}`, join(work, 'store'));
      await untilRunning(handle, ACTIVITY_OF[step]);
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
      worker = await startWorker();
      const result = (await handle.result()) as PipelineResult;
      const got = result.artifacts.train_random_forest?.[0]?.digest;
      const attempts = result.steps.find((s) => s.step === step)?.attempts;
      outcomes.push(`${step}: ${got === digest ? 'same digest' : `digest ${got}`}, attempts ${attempts}`);
      assert.equal(got, digest, `kill during ${step}: the model differs from the uninterrupted run's`);
    }
    console.log(
      `[faults] worker kill -9: ${outcomes.length}/${TRIES} survived with the uninterrupted digest\n  ${outcomes.join('\n  ')}`,
    );
  },
);
