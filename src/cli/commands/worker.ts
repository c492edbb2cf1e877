/** `mlpipe worker` and `mlpipe server`: the standalone worker and the embedded dev server on their own. */
import type { Command } from 'commander';
import { createPipelineWorker, runWorker } from '../../worker';
import Table from 'cli-table3';
import {
  ensureDevServer,
  isPortOpen,
  runDevServerForeground,
  stopDevServer,
} from '../../temporal/dev-server';
import {
  assertOwnHealthyServer,
  listOwnServers,
  probeTemporal,
  readOwnState,
} from '../../temporal/server-ownership';
import type { CliContext } from '../context';
import { formatUptime } from '../durations';

export function registerWorkerCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('worker')
    .description(
      'run a worker for the ml-pipeline task queue against TEMPORAL_ADDRESS (default localhost:7233)',
    )
    .option('--until <workflowId>', 'exit when this workflow closes (the detached worker of `run --no-wait`)')
    .action(async (opts: { until?: string }) => {
      const c = ctx();
      const address = c.temporal.address ?? `127.0.0.1:${c.config.temporal.dev_server.port}`;
      console.log(
        `Worker on task queue ${c.temporal.taskQueue} at ${address} (namespace ${c.temporal.namespace})${opts.until ? `, until ${opts.until} closes` : ''}`,
      );
      if (opts.until) {
        const { worker, connection } = await createPipelineWorker({
          address,
          namespace: c.temporal.namespace,
          taskQueue: c.temporal.taskQueue,
          configPath: c.options.config,
        });
        const handle = (await c.client(address)).workflow.getHandle(opts.until);
        const closed = handle.result().then(
          () => 'completed',
          (err: unknown) => `closed: ${err instanceof Error ? err.message : String(err)}`,
        );
        try {
          await worker.runUntil(closed);
          console.log(`${opts.until} ${await closed}; the worker exits.`);
        } finally {
          await connection.close().catch(() => undefined);
        }
        return;
      }
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
      const log = (line: string) => console.error(line);
      if (opts.detach) {
        const started = await ensureDevServer(dev, log);
        console.log(
          started.started
            ? `Temporal dev server started (pid ${started.pid}) at ${started.address}, Web UI ${started.uiUrl}, log ${started.logFile}`
            : `This project's Temporal dev server is already running (pid ${started.pid}) at ${started.address}, Web UI ${started.uiUrl}`,
        );
        return;
      }
      const own = readOwnState(dev, log);
      if (await isPortOpen(dev.port)) {
        // Ours and working: say so rather than fail on the port; anything else: the one message.
        await assertOwnHealthyServer(dev, own);
        console.log(
          `This project's Temporal dev server is already running (pid ${own?.pid ?? '?'}) at 127.0.0.1:${dev.port}, Web UI http://localhost:${dev.uiPort}; \`mlpipe server stop\` stops it.`,
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
      console.log(stopDevServer(ctx().devServerOptions()).message);
    });
  server
    .command('status')
    .description("list this project's dev servers: pid, port, Web UI, database, uptime")
    .option('--json', 'JSON output')
    .action(async (opts: { json?: boolean }) => {
      const c = ctx();
      const servers = listOwnServers(c.stateDir(), (line) => console.error(line));
      const rows = await Promise.all(
        servers.map(async (s) => ({
          ...s,
          healthy: (await probeTemporal(`127.0.0.1:${s.port}`, s.namespace, 3000)).healthy,
        })),
      );
      if (opts.json) {
        console.log(JSON.stringify(rows));
        return;
      }
      if (rows.length === 0) {
        console.log(`No dev server of this project is running (state folder ${c.stateDir()}).`);
        return;
      }
      const table = new Table({
        head: ['pid', 'port', 'Web UI', 'database', 'uptime', 'answers'],
        style: process.stdout.isTTY ? undefined : { head: [], border: [] },
      });
      for (const r of rows)
        table.push([
          r.pid,
          r.port,
          `http://localhost:${r.uiPort}`,
          r.dbFile,
          formatUptime(r.uptimeMs),
          r.healthy ? 'yes' : 'no',
        ]);
      console.log(table.toString());
    });
}
