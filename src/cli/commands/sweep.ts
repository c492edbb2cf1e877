/**
 * `mlpipe sweep --set k=a,b --set j=range(1,4)`: a Hydra multirun as one durable workflow. The data
 * steps run once; every trial trains and evaluates on the same data as a child workflow.
 */
import type { Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import Table from 'cli-table3';
import { SWEEP_WORKFLOW_TYPE } from '../../contract';
import { parseSweep } from '../../config';
import type { SweepInput, SweepResult } from '../../workflows/sweep-pipeline';
import { createPipelineWorker } from '../../worker';
import { collect, quietWorkerLogs, webUiRunUrl, type CliContext } from '../context';
import { failureChain, newWorkflowId, tableStyle } from './run';

/** `random_forest_pipeline.random_forest.max_depth=10` → `max_depth=10`, for a table that fits a terminal. */
function shortOverride(o: string): string {
  return o.replace(/^[^=]*\.(?=[^.=]+=)/, '');
}

export function registerSweepCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('sweep')
    .description('grid search with Hydra multirun syntax; trials run as parallel child workflows')
    .option(
      '--set <key=values>',
      'override or sweep (a,b,c | range(a,b[,step]) | choice(a,b)); repeatable',
      collect,
      [],
    )
    .option('--max-parallel <n>', 'trials at once (default sweep.max_parallel)')
    .option('--metric <name>', 'metric to rank trials by (default sweep.metric)')
    .option('--id <workflowId>', 'workflow ID of the sweep')
    .option('--json', 'print the result as one JSON object')
    .action(
      async (opts: { set: string[]; maxParallel?: string; metric?: string; id?: string; json?: boolean }) => {
        const c = ctx();
        const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
        const trials = parseSweep(opts.set);
        const input: SweepInput = {
          trials,
          base: c.options.set ?? [],
          maxParallel: opts.maxParallel ? Number(opts.maxParallel) : c.config.sweep.max_parallel,
          metric: opts.metric ?? c.config.sweep.metric,
        };
        const server = await c.resolveServer(log);
        const client = await c.client(server.address);
        if (server.embedded) quietWorkerLogs();
        const worker = server.embedded
          ? await createPipelineWorker({
              address: server.address,
              namespace: c.temporal.namespace,
              taskQueue: c.temporal.taskQueue,
              configPath: c.options.config,
            })
          : undefined;
        const workflowId = opts.id ?? newWorkflowId('sweep');
        const handle = await client.workflow.start(SWEEP_WORKFLOW_TYPE, {
          taskQueue: c.temporal.taskQueue,
          workflowId,
          args: [input],
          staticSummary: `Sweep of ${trials.length} trials ranked by ${input.metric}`,
          staticDetails: opts.set.map((s) => `\`${s}\``).join('\n\n'),
        });
        const url = webUiRunUrl(server.uiUrl, c.temporal.namespace, workflowId, handle.firstExecutionRunId);
        log(
          `Started sweep ${workflowId}: ${trials.length} trials, ${input.maxParallel} at a time\nWeb UI: ${url}`,
        );
        const t0 = performance.now();
        const resultPromise = handle.result() as Promise<SweepResult>;
        try {
          const result = await (worker ? worker.worker.runUntil(resultPromise) : resultPromise);
          const totalS = (performance.now() - t0) / 1000;
          if (opts.json) {
            console.log(JSON.stringify({ ...result, total_s: totalS, url }));
            return;
          }
          const table = new Table({
            head: ['rank', 'trial', 'overrides', result.metric, 'time', 'model / error'],
            style: tableStyle(),
          });
          result.trials.forEach((t, i) =>
            table.push([
              i + 1,
              t.index,
              t.overrides.map(shortOverride).join(' '),
              t.metric?.toFixed(4) ?? '-',
              t.durationMs !== undefined ? `${(t.durationMs / 1000).toFixed(1)} s` : '-',
              t.modelRef ?? t.error ?? '',
            ]),
          );
          log(table.toString());
          log(
            `Data steps ran once: ${result.dataWorkflowId} (train ${result.data.train}, test ${result.data.test})`,
          );
          log(
            `Best: ${result.best ? `trial ${result.best.index} ${result.best.modelRef} (${result.metric} ${result.best.metric?.toFixed(4)})` : 'none'}`,
          );
          log(`Total: ${totalS.toFixed(1)} s · lineage: mlpipe lineage ${workflowId}-trial-0`);
        } catch (err) {
          const message =
            err instanceof WorkflowFailedError ? failureChain(err.cause ?? err) : failureChain(err);
          log(`Sweep ${workflowId} failed:\n  ${message}`);
          process.exitCode = 1;
        } finally {
          if (worker) await worker.connection.close().catch(() => undefined);
        }
      },
    );
}
