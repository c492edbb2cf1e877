/** `mlpipe worker` and `mlpipe server`: the standalone worker and the embedded dev server on their own. */
import type { Command } from 'commander';
import { runWorker } from '../../worker';
import { ensureDevServer, runDevServerForeground, stopDevServer } from '../../temporal/dev-server';
import type { CliContext } from '../context';

export function registerWorkerCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('worker')
    .description(
      'run a worker for the ml-pipeline task queue against TEMPORAL_ADDRESS (default localhost:7233)',
    )
    .action(async () => {
      const c = ctx();
      const address = c.temporal.address ?? `127.0.0.1:${c.config.temporal.dev_server.port}`;
      console.log(
        `Worker on task queue ${c.temporal.taskQueue} at ${address} (namespace ${c.temporal.namespace})`,
      );
      await runWorker({
        address,
        namespace: c.temporal.namespace,
        taskQueue: c.temporal.taskQueue,
        configPath: c.options.config,
      });
    });

  const server = program
    .command('server')
    .description(
      'run the embedded Temporal dev server (SQLite in .mlpipe/, Web UI on :8233) in the foreground',
    )
    .option('--detach', 'start it in the background and return')
    .action(async (opts: { detach?: boolean }) => {
      const c = ctx();
      const dev = c.devServerOptions();
      if (opts.detach) {
        const started = await ensureDevServer(dev);
        console.log(
          started.started
            ? `Temporal dev server started (pid ${started.pid}) at ${started.address}, Web UI ${started.uiUrl}, log ${started.logFile}`
            : `A Temporal server is already listening on ${started.address}`,
        );
        return;
      }
      console.log(
        `Temporal dev server at 127.0.0.1:${dev.port}, Web UI http://localhost:${dev.uiPort}, data ${dev.dbFile}`,
      );
      process.exitCode = await runDevServerForeground(dev);
    });
  server
    .command('stop')
    .description('stop a dev server started in the background by `mlpipe run` or `mlpipe server --detach`')
    .action(() => {
      const stopped = stopDevServer(ctx().devServerOptions());
      console.log(stopped ? 'Stopped the Temporal dev server.' : 'No background dev server was recorded.');
    });
}
