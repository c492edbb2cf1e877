/**
 * Live progress of a run in the terminal: step n of N from the workflow's `progress` query, and
 * trees k of total from the train activity's heartbeat details (read via describe, so the workflow
 * history is not burdened with progress events).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import cliProgress from 'cli-progress';
import type { PipelineProgress } from '../contract';

interface HeartbeatProgress {
  done: number;
  total: number;
  unit?: string;
}

/**
 * Trees done of total: the train activity's heartbeat, or with a sharded fit the trees of finished
 * shards (from the progress query) plus every running shard's heartbeat.
 */
async function trainingProgress(
  handle: WorkflowHandle,
  progress: PipelineProgress,
): Promise<HeartbeatProgress | undefined> {
  const description = await handle.describe();
  const running: HeartbeatProgress[] = [];
  for (const pending of description.raw.pendingActivities ?? []) {
    const payload = pending.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    const details = defaultPayloadConverter.fromPayload<HeartbeatProgress>(payload);
    if (details && typeof details.done === 'number' && details.unit === 'trees') running.push(details);
  }
  if (progress.training) {
    const done = progress.training.done + running.reduce((n, d) => n + d.done, 0);
    return { done, total: progress.training.total, unit: 'trees' };
  }
  return running[0];
}

interface Snapshot {
  progress: PipelineProgress;
  trees?: HeartbeatProgress;
}

/**
 * A progress read never outlives its poll: a query can wait server-side for a worker (tens of
 * seconds when the worker is starting or stopping), and the SDK retries some failures on a timer.
 * A retry that fires after the CLI closed its connection throws inside that timer and kills the
 * process, so every read has a deadline (a retry past it fails at once) and is aborted on stop.
 */
const READ_DEADLINE_MS = 2_000;

async function readSnapshot(handle: WorkflowHandle, stop: AbortSignal): Promise<Snapshot | undefined> {
  try {
    return await handle.client.withAbortSignal(stop, () =>
      handle.client.withDeadline(Date.now() + READ_DEADLINE_MS, async () => {
        const progress = await handle.query<PipelineProgress>('progress');
        const trees =
          progress.currentStep === 'train_random_forest'
            ? await trainingProgress(handle, progress)
            : undefined;
        return { progress, trees };
      }),
    );
  } catch {
    return undefined; // Not answerable before the first workflow task ran, or cut short: keep polling.
  }
}

const STOP: unique symbol = Symbol('stop');

/** Polls until `until` settles; renders bars on a TTY and one line per step change otherwise. */
export async function watchProgress(
  handle: WorkflowHandle,
  until: Promise<unknown>,
  out: NodeJS.WriteStream,
): Promise<void> {
  // A query in flight when the run ends may wait for a worker that is shutting down: stop waiting for
  // it then, abort it, and let it settle (bounded by its deadline) before the caller closes the connection.
  const abort = new AbortController();
  const stopped: Promise<typeof STOP> = until.then(
    () => STOP,
    () => STOP,
  );
  let inflight: Promise<unknown> | undefined;
  const tty = Boolean(out.isTTY);
  const bars = tty
    ? new cliProgress.MultiBar(
        {
          format: '{label} [{bar}] {value}/{total} {detail}',
          hideCursor: true,
          clearOnComplete: false,
          stream: out,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const stepBar = bars?.create(6, 0, { label: 'steps', detail: '' });
  const treeBar = bars?.create(100, 0, { label: 'trees', detail: '' });
  let lastLine = '';
  for (;;) {
    const read = readSnapshot(handle, abort.signal);
    inflight = read;
    const snapshot = await Promise.race([read, stopped]);
    if (snapshot === STOP) break;
    if (snapshot) {
      const { progress, trees } = snapshot;
      const done = progress.steps.filter((s) => s.status === 'completed').length;
      const current = progress.currentStep ?? '';
      const index = progress.steps.findIndex((s) => s.step === current);
      if (stepBar && treeBar) {
        stepBar.setTotal(Math.max(progress.steps.length, 1));
        stepBar.update(done, {
          detail: current ? `step ${index + 1} of ${progress.steps.length}: ${current}` : '',
        });
        if (trees) {
          treeBar.setTotal(trees.total);
          treeBar.update(trees.done);
        } else if (progress.steps.some((s) => s.step === 'train_random_forest' && s.status === 'completed')) {
          treeBar.update(treeBar.getTotal());
        }
      }
      if (progress.status === 'awaiting_approval') {
        // The run waits for a person (evaluate.approval: required): say how to decide.
        const line = `awaiting approval: mlpipe approve ${handle.workflowId} --reason "…" (or mlpipe reject …)`;
        if (line !== lastLine && bars) bars.log(`${line}\n`);
        else if (line !== lastLine) out.write(`${line}\n`);
        lastLine = line;
      } else if (!stepBar && current) {
        const line = `step ${index + 1} of ${progress.steps.length}: ${current}${trees ? ` (trees ${trees.done} of ${trees.total})` : ''}`;
        if (line !== lastLine) out.write(`${line}\n`);
        lastLine = line;
      }
    }
    if ((await Promise.race([stopped, new Promise((r) => setTimeout(r, tty ? 250 : 1000))])) === STOP) break;
  }
  abort.abort();
  await inflight;
  if (stepBar && treeBar) {
    stepBar.update(stepBar.getTotal(), { detail: 'done' });
    bars?.stop();
  }
}
