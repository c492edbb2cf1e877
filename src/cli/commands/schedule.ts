/**
 * `mlpipe schedule …`: scheduled retraining with Temporal Schedules. Overlapping runs are skipped
 * by default; each scheduled run's trigger (and so its lineage record) names the schedule.
 */
import type { Command } from 'commander';
import { ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import type { PipelineInput } from '../../contract';
import { WORKFLOW_TYPE } from '../../contract';
import { CliContext, collect } from '../context';

const OVERLAP: Record<string, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
};

interface CreateOptions {
  id: string;
  cron?: string;
  every?: string;
  set: string[];
  overlap: string;
  paused?: boolean;
  note?: string;
}

export function scheduleSpec(opts: { cron?: string; every?: string }): ScheduleSpec {
  if (Boolean(opts.cron) === Boolean(opts.every))
    throw new Error('give exactly one of --cron EXPR or --every DURATION');
  return opts.cron ? { cronExpressions: [opts.cron] } : { intervals: [{ every: opts.every as string }] };
}

export function registerScheduleCommands(program: Command, ctx: () => CliContext): void {
  const schedule = program.command('schedule').description('scheduled retraining with Temporal Schedules');

  schedule
    .command('create')
    .requiredOption('--id <scheduleId>', 'schedule ID')
    .option('--cron <expr>', 'cron expression, e.g. "0 3 * * *"')
    .option('--every <duration>', 'interval, e.g. 1d, 6h, 30m')
    .option('--set <key=value>', 'config override for every run (repeatable)', collect, [])
    .option(
      '--overlap <policy>',
      `what to do when a run is still going: ${Object.keys(OVERLAP).join(', ')}`,
      'skip',
    )
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note shown with the schedule')
    .action(async (opts: CreateOptions) => {
      const c = ctx();
      const overlap = OVERLAP[opts.overlap];
      if (overlap === undefined) throw new Error(`--overlap: unknown policy "${opts.overlap}"`);
      // Validate the overrides now rather than at 3 a.m.
      void new CliContext({ config: c.options.config, set: opts.set }).config;
      const client = await c.existingClient();
      const input: PipelineInput = { overrides: opts.set, trigger: { kind: 'schedule', id: opts.id } };
      await client.schedule.create({
        scheduleId: opts.id,
        spec: scheduleSpec(opts),
        policies: { overlap, catchupWindow: '1m' },
        state: { paused: Boolean(opts.paused), note: opts.note ?? 'scheduled retraining (mlpipe)' },
        action: {
          type: 'startWorkflow',
          workflowType: WORKFLOW_TYPE,
          taskQueue: c.temporal.taskQueue,
          workflowId: `${opts.id}-run`,
          args: [input],
          staticSummary: `Scheduled retraining (${opts.id})`,
        },
      });
      console.log(
        `Created schedule ${opts.id} (${opts.cron ? `cron ${opts.cron}` : `every ${opts.every}`}, overlap ${opts.overlap}).`,
      );
    });

  schedule
    .command('list')
    .option('--json', 'JSON output')
    .action(async (opts: { json?: boolean }) => {
      const client = await ctx().existingClient();
      const rows = [];
      for await (const s of client.schedule.list()) {
        rows.push({
          id: s.scheduleId,
          paused: s.state.paused,
          note: s.state.note,
          next: s.info.nextActionTimes[0]?.toISOString(),
          recent: s.info.recentActions.at(-1)?.action.workflow.workflowId,
        });
      }
      if (opts.json) console.log(JSON.stringify(rows));
      else if (rows.length === 0) console.log('No schedules.');
      else
        for (const r of rows)
          console.log(
            `${r.id}\t${r.paused ? 'paused' : 'active'}\tnext ${r.next ?? '-'}\tlast ${r.recent ?? '-'}`,
          );
    });

  schedule
    .command('describe <scheduleId>')
    .option('--json', 'JSON output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const client = await ctx().existingClient();
      const d = await client.schedule.getHandle(id).describe();
      const summary = {
        id: d.scheduleId,
        paused: d.state.paused,
        note: d.state.note,
        spec: d.spec,
        overlap: d.policies.overlap,
        nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
        recentActions: d.info.recentActions.map((a) => ({
          at: a.takenAt.toISOString(),
          workflowId: a.action.workflow.workflowId,
        })),
        runningActions: d.info.runningActions.map((a) => a.workflow.workflowId),
        args: d.action.type === 'startWorkflow' ? d.action.args : undefined,
      };
      console.log(opts.json ? JSON.stringify(summary) : JSON.stringify(summary, null, 2));
    });

  for (const [name, description] of [
    ['trigger', 'start a run now'],
    ['pause', 'pause the schedule'],
    ['unpause', 'resume the schedule'],
    ['delete', 'delete the schedule'],
  ] as const) {
    schedule
      .command(`${name} <scheduleId>`)
      .description(description)
      .option('--note <text>', 'reason, kept with the schedule')
      .action(async (id: string, opts: { note?: string }) => {
        const handle = (await ctx().existingClient()).schedule.getHandle(id);
        if (name === 'trigger') await handle.trigger();
        else if (name === 'pause') await handle.pause(opts.note);
        else if (name === 'unpause') await handle.unpause(opts.note);
        else await handle.delete();
        console.log(`${name}: ${id} done.`);
      });
  }
}
