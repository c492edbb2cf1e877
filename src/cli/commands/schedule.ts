/**
 * `mlpipe schedule …`: scheduled retraining with Temporal Schedules. Overlapping runs are skipped
 * by default; each scheduled run's trigger (and so its lineage record) names the schedule.
 */
import type { Command } from 'commander';
import { ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import type { PipelineInput } from '../../contract';
import { WORKFLOW_TYPE } from '../../contract';
import { CliContext, collect } from '../context';
import { liveTaskQueuePollers, noWorkerMessage, workerCommand } from '../../temporal/pollers';
import { describeSchedule, scheduleDescriptionText } from '../schedule-description';

/** Says on stderr when no worker polls the schedule's task queue, with the command that starts one. */
async function warnWithoutWorker(c: CliContext, client: Client, what: string): Promise<void> {
  const pollers = await liveTaskQueuePollers(client, c.temporal.namespace, c.temporal.taskQueue).catch(
    () => undefined,
  );
  if (pollers?.length !== 0) return;
  const port = c.config.temporal.dev_server.port;
  console.error(
    noWorkerMessage({
      address: c.temporal.address ?? `127.0.0.1:${port}`,
      taskQueue: c.temporal.taskQueue,
      command: workerCommand({
        address: c.temporal.address,
        devServerPort: port,
        taskQueue: c.temporal.taskQueue,
      }),
      what,
    }),
  );
}

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
  runTimeout?: string;
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
    .option(
      '--run-timeout <duration>',
      'the longest one scheduled run may take (default temporal.schedule_run_timeout, 1d; "none" for no limit)',
    )
    .action(async (opts: CreateOptions) => {
      const c = ctx();
      const overlap = OVERLAP[opts.overlap];
      if (overlap === undefined) throw new Error(`--overlap: unknown policy "${opts.overlap}"`);
      // Validate the overrides now rather than at 3 a.m.
      const runConfig = new CliContext({
        config: c.options.config,
        set: [
          ...(c.options.set ?? []),
          ...opts.set,
          ...(opts.runTimeout
            ? [`temporal.schedule_run_timeout=${opts.runTimeout === 'none' ? 'null' : opts.runTimeout}`]
            : []),
        ],
      }).config;
      const runTimeout = runConfig.temporal.schedule_run_timeout ?? undefined;
      const client = await c.existingClient();
      const input: PipelineInput = { overrides: opts.set, trigger: { kind: 'schedule', id: opts.id } };
      await client.schedule.create({
        scheduleId: opts.id,
        spec: scheduleSpec(opts),
        policies: { overlap, catchupWindow: '1m' },
        memo: { mlpipeSpec: opts.cron ? `cron ${opts.cron}` : `every ${opts.every}` },
        state: { paused: Boolean(opts.paused), note: opts.note ?? 'scheduled retraining (mlpipe)' },
        action: {
          type: 'startWorkflow',
          workflowType: WORKFLOW_TYPE,
          taskQueue: c.temporal.taskQueue,
          workflowId: `${opts.id}-run`,
          args: [input],
          staticSummary: `Scheduled retraining (${opts.id})`,
          // A stuck run times out instead of blocking every later run of a skip-overlap schedule.
          workflowExecutionTimeout: runTimeout,
        },
      });
      console.log(
        `Created schedule ${opts.id} (${opts.cron ? `cron ${opts.cron}` : `every ${opts.every}`}, overlap ${opts.overlap}, run timeout ${runTimeout ?? 'none'}).`,
      );
      await warnWithoutWorker(
        c,
        client,
        'its runs will wait until one does, and with overlap skip block later ones',
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
    .description(
      'the schedule, the workers polling its task queue, its last runs with their status, its next runs',
    )
    .option('--json', 'JSON output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const c = ctx();
      const description = await describeSchedule(await c.existingClient(), c.temporal.namespace, id);
      console.log(opts.json ? JSON.stringify(description) : scheduleDescriptionText(description));
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
        const c = ctx();
        const client = await c.existingClient();
        const handle = client.schedule.getHandle(id);
        if (name === 'trigger') await handle.trigger();
        else if (name === 'pause') await handle.pause(opts.note);
        else if (name === 'unpause') await handle.unpause(opts.note);
        else await handle.delete();
        console.log(`${name}: ${id} done.`);
        if (name === 'trigger' || name === 'unpause')
          await warnWithoutWorker(
            c,
            client,
            'the run will wait until one does, and with overlap skip block later ones',
          );
      });
  }
}
