/**
 * `mlpipe schedule describe`: what a user needs to see whether scheduled retraining really happens:
 * the workers polling its task queue (none = its runs wait), its last runs with their status (a run
 * left `Running` blocks a skip-overlap schedule), and its next run times. A table; JSON with --json.
 */
import type { Client } from '@temporalio/client';
import Table from 'cli-table3';
import { liveTaskQueuePollers, type Poller } from '../temporal/pollers';
import { formatUptime } from './durations';

export interface ScheduleRun {
  workflowId: string;
  runId?: string;
  scheduledAt?: string;
  startedAt: string;
  /** RUNNING, COMPLETED, FAILED, TIMED_OUT, CANCELLED, TERMINATED…, or UNKNOWN when it cannot be read. */
  status: string;
  closedAt?: string;
}

export interface ScheduleDescriptionSummary {
  id: string;
  paused: boolean;
  note?: string;
  spec: string;
  overlap: string;
  runTimeout?: string;
  taskQueue?: string;
  overrides?: string[];
  pollers: Poller[];
  recentRuns: ScheduleRun[];
  nextRunTimes: string[];
}

/** The schedule's spec as given at create time (kept in its memo), else as the server describes it. */
function specText(
  memo: Record<string, unknown> | undefined,
  spec: { intervals?: { every: number }[] },
): string {
  if (typeof memo?.mlpipeSpec === 'string') return memo.mlpipeSpec;
  if (spec.intervals?.length) return spec.intervals.map((i) => `every ${formatUptime(i.every)}`).join(', ');
  return JSON.stringify(spec);
}

export async function describeSchedule(
  client: Client,
  namespace: string,
  id: string,
): Promise<ScheduleDescriptionSummary> {
  const d = await client.schedule.getHandle(id).describe();
  const action = d.action.type === 'startWorkflow' ? d.action : undefined;
  const taskQueue = action?.taskQueue;
  const recentRuns = await Promise.all(
    d.info.recentActions.slice(-10).map(async (a): Promise<ScheduleRun> => {
      const wf = a.action.workflow;
      const run: ScheduleRun = {
        workflowId: wf.workflowId,
        runId: wf.firstExecutionRunId,
        scheduledAt: a.scheduledAt.toISOString(),
        startedAt: a.takenAt.toISOString(),
        status: 'UNKNOWN',
      };
      try {
        const w = await client.workflow.getHandle(wf.workflowId, wf.firstExecutionRunId).describe();
        run.status = w.status.name;
        run.closedAt = w.closeTime?.toISOString();
      } catch {
        // Past the namespace's retention the run is gone; UNKNOWN says so.
      }
      return run;
    }),
  );
  const args = action?.args as [{ overrides?: string[] }] | undefined;
  return {
    id: d.scheduleId,
    paused: d.state.paused,
    note: d.state.note,
    spec: specText(d.memo, d.spec),
    overlap: String(d.policies.overlap),
    runTimeout:
      typeof action?.workflowExecutionTimeout === 'number'
        ? formatUptime(action.workflowExecutionTimeout)
        : undefined,
    taskQueue,
    overrides: args?.[0]?.overrides,
    pollers: taskQueue ? await liveTaskQueuePollers(client, namespace, taskQueue).catch(() => []) : [],
    recentRuns: recentRuns.reverse(),
    nextRunTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
  };
}

function plain(): { head: string[]; border: string[] } | undefined {
  return process.stdout.isTTY ? undefined : { head: [], border: [] };
}

function when(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}

export function scheduleDescriptionText(s: ScheduleDescriptionSummary): string {
  const fields: [string, string][] = [
    ['schedule', s.id],
    ['state', s.paused ? 'paused' : 'active'],
    ['spec', s.spec],
    ['overlap', s.overlap],
    ['run timeout', s.runTimeout ?? 'none'],
    ['task queue', s.taskQueue ?? '-'],
    ['overrides', s.overrides?.length ? s.overrides.join(' ') : 'none'],
    ['note', s.note ?? ''],
  ];
  const head = fields.map(([k, v]) => `${`${k}:`.padEnd(13)}${v}`).join('\n');
  const pollers = new Table({ head: ['worker (poller identity)', 'polls', 'last seen'], style: plain() });
  for (const p of s.pollers)
    pollers.push([p.identity, p.kinds.join(', '), when(p.lastAccessTime?.toISOString())]);
  const runs = new Table({ head: ['run (workflow ID)', 'started', 'status', 'closed'], style: plain() });
  for (const r of s.recentRuns) runs.push([r.workflowId, when(r.startedAt), r.status, when(r.closedAt)]);
  return [
    head,
    s.pollers.length
      ? `Workers:\n${pollers.toString()}`
      : `Workers: none polls task queue ${s.taskQueue ?? '-'}: scheduled runs will wait until one runs (mlpipe worker).`,
    s.recentRuns.length ? `Last runs:\n${runs.toString()}` : 'Last runs: none yet.',
    s.paused
      ? 'Next runs: none while paused (`mlpipe schedule unpause`).'
      : `Next runs: ${s.nextRunTimes.slice(0, 3).map(when).join(', ') || 'none'}`,
  ].join('\n');
}
