/**
 * `mlpipe resume <workflowId> [--set k=v]…`: a new run that starts from an earlier run's config,
 * overrides and pinned inputs (then these settings), and reuses each of its steps whose cache key
 * still matches: after a failure, a cancellation or a completed run, and after the code was fixed.
 * The worker reads the earlier run's record (the workflow input's `resume` field), so the same works
 * from the Temporal CLI: `--input '{"resume": "<workflowId>", "overrides": ["k=v"]}'`.
 */
import type { Command } from 'commander';
import { CliContext, collect } from '../context';
import { runPipeline, type RunOptions } from './run';

export function registerResumeCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('resume <workflowId>')
    .description(
      "start a run from an earlier run's config (plus --set patches), reusing every step whose cache key still matches",
    )
    .option('--set <key=value>', 'Hydra-style override on top of the earlier run (repeatable)', collect, [])
    .option('--id <workflowId>', 'workflow ID of the new run; default resume-<time>-<random>')
    .option('--worker', 'also run a worker in-process when TEMPORAL_ADDRESS is set')
    .option('--no-wait', 'start the workflow and return its ID without following it')
    .option('--json', 'print the result as one JSON object')
    .option('--no-cache', 'run every step, ignoring the step cache')
    .option('--force <step...>', 'run these steps even when cached')
    .action(async (workflowId: string, opts: RunOptions) => {
      const outer = ctx();
      const given = [...(outer.options.set ?? []), ...opts.set];
      const c = opts.set.length ? new CliContext({ config: outer.options.config, set: given }) : outer;
      try {
        await runPipeline(c, given, opts, workflowId);
      } finally {
        if (c !== outer) await c.close();
      }
    });
}
