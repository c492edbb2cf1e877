/**
 * Whether any worker polls a task queue (DescribeTaskQueue), so that a command starting a run it will
 * not follow (`run --no-wait`, a schedule) can say when nobody would execute it, instead of leaving a
 * run `Running` with nothing pending.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface Poller {
  identity: string;
  lastAccessTime?: Date;
  /** Polls workflow tasks, activity tasks, or both. */
  kinds: ('workflow' | 'activity')[];
}

/**
 * The server keeps a poller in the list for a while after its worker stopped; a live one polls again
 * within about a minute (the long poll), so one not seen for longer than this is taken as gone.
 */
const LIVE_WITHIN_MS = 90_000;

function toDate(t: { seconds?: unknown; nanos?: number | null } | null | undefined): Date | undefined {
  if (!t?.seconds) return undefined;
  return new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6));
}

/** The workers polling `taskQueue` now, by identity (workflow and activity pollers merged). */
export async function liveTaskQueuePollers(
  client: Client,
  namespace: string,
  taskQueue: string,
): Promise<Poller[]> {
  const { TaskQueueType } = temporal.api.enums.v1;
  const byIdentity = new Map<string, Poller>();
  for (const [type, kind] of [
    [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, 'workflow'],
    [TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, 'activity'],
  ] as const) {
    const res = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: type,
    });
    for (const p of res.pollers ?? []) {
      const lastAccessTime = toDate(p.lastAccessTime);
      if (lastAccessTime && Date.now() - lastAccessTime.getTime() > LIVE_WITHIN_MS) continue;
      const identity = p.identity ?? '(unnamed)';
      const known = byIdentity.get(identity);
      if (known) {
        known.kinds.push(kind);
        if (lastAccessTime && (!known.lastAccessTime || lastAccessTime > known.lastAccessTime))
          known.lastAccessTime = lastAccessTime;
      } else byIdentity.set(identity, { identity, lastAccessTime, kinds: [kind] });
    }
  }
  return [...byIdentity.values()];
}

/** The command that starts a worker for these settings, as a user would type it. */
export function workerCommand(opts: { address?: string; devServerPort: number; taskQueue: string }): string {
  if (opts.address) return `TEMPORAL_ADDRESS=${opts.address} mlpipe worker`;
  return opts.devServerPort === 7233
    ? 'mlpipe worker'
    : `mlpipe --set temporal.dev_server.port=${opts.devServerPort} worker`;
}

/** The warning printed when nobody polls: what will happen, and the command that fixes it. */
export function noWorkerMessage(opts: {
  address: string;
  taskQueue: string;
  command: string;
  what: string;
}): string {
  return [
    `No worker polls task queue ${opts.taskQueue} on ${opts.address}: ${opts.what}.`,
    `Start one (and keep it running): ${opts.command}`,
  ].join('\n');
}
