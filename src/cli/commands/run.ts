/**
 * `mlpipe run`: start the training workflow and follow it. With no TEMPORAL_ADDRESS it starts the
 * embedded dev server and an in-process worker, so one command runs the whole pipeline.
 */
import { absoluteSourceOverride } from '../local-source';
import type { Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import Table from 'cli-table3';
import type { PipelineInput, PipelineResult, StepProgress } from '../../contract';
import { ARTIFACTS, WORKFLOW_TYPE } from '../../contract';
import { configDigest, normalizeStepName } from '../../config';
import { createPipelineWorker } from '../../worker';
import { CliContext, collect, quietWorkerLogs, webUiRunUrl } from '../context';
import { watchProgress } from '../progress-view';
import { liveTaskQueuePollers, noWorkerMessage, workerCommand } from '../../temporal/pollers';
import { startDetachedWorker } from '../detached-worker';

export function newWorkflowId(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..+/, '').replace('T', '-');
  return `${prefix}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/** The outermost message (which step failed) and the innermost one (what was wrong: file, column, key). */
export function failureChain(err: unknown): string {
  const messages: string[] = [];
  for (let cur: unknown = err; cur instanceof Error; cur = (cur as { cause?: unknown }).cause) {
    if (cur.message) messages.push(cur.message);
  }
  const outer = messages[0] ?? String(err);
  const inner = messages.at(-1) ?? outer;
  if (inner === outer || outer.includes(inner)) return outer;
  return `${outer.split('\n')[0]}\n  caused by: ${inner}`;
}

/** Colours only on a terminal: piped output (CI logs, files) stays plain text. */
export function tableStyle(): { head: string[]; border: string[] } | undefined {
  return process.stdout.isTTY ? undefined : { head: [], border: [] };
}

/** The step cache column: `hit` and the run that computed the outputs, or `ran` and what changed. */
export function cacheCell(cache: StepProgress['cache']): string {
  if (!cache) return '';
  const warning = cache.warning ? ` (warning: ${cache.warning})` : '';
  const key = cache.key ? ` ${cache.key.slice(0, 12)}` : '';
  return cache.hit
    ? `hit${key}: ${cache.from ?? cache.reason}${warning}`
    : `ran${key}: ${cache.reason}${warning}`;
}

function resultTable(result: PipelineResult): string {
  const cached = result.steps.some((s) => s.cache);
  const steps = new Table({
    head: ['#', 'step', 'status', 'attempts', 'time', ...(cached ? ['cache'] : []), 'summary'],
    wordWrap: true,
    style: tableStyle(),
    colWidths: [4, 22, 11, 10, 9, ...(cached ? [34] : []), cached ? 56 : 70],
  });
  result.steps.forEach((s, i) =>
    steps.push([
      i + 1,
      s.step,
      s.status,
      s.attempts,
      s.durationMs !== undefined ? `${(s.durationMs / 1000).toFixed(2)} s` : '',
      ...(cached ? [cacheCell(s.cache)] : []),
      s.summary ?? '',
    ]),
  );
  const metrics = new Table({ head: ['metric', 'value'], style: tableStyle() });
  for (const [k, v] of Object.entries(result.metrics))
    metrics.push([k, Number.isInteger(v) ? v : v.toFixed(4)]);
  return `${steps.toString()}\n${metrics.toString()}`;
}

export function registerRunCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('run')
    .description(
      'run the training pipeline (embedded dev server + in-process worker unless TEMPORAL_ADDRESS is set)',
    )
    .option('--set <key=value>', 'Hydra-style config override (repeatable)', collect, [])
    .option('--id <workflowId>', 'workflow ID (the run lineage key); default train-<time>-<random>')
    .option('--worker', 'also run a worker in-process when TEMPORAL_ADDRESS is set')
    .option('--no-wait', 'start the workflow and return its ID without following it')
    .option('--json', 'print the result as one JSON object')
    .option('--no-cache', 'run every step, ignoring the step cache (the outcomes are still cached)')
    .option(
      '--force <step...>',
      'run these steps even when cached (e.g. --force check_data train_random_forest)',
    )
    .action(async (opts: RunOptions) => {
      const outer = ctx();
      const given = [...(outer.options.set ?? []), ...opts.set];
      // Settings given after `run` count as much as global ones: for the dev server, the client and
      // the store the report is read from, not only for the workflow.
      const c = opts.set.length ? new CliContext({ config: outer.options.config, set: given }) : outer;
      try {
        await runPipeline(c, given, opts);
      } finally {
        if (c !== outer) await c.close();
      }
    });
}

export interface RunOptions {
  set: string[];
  id?: string;
  worker?: boolean;
  wait: boolean;
  json?: boolean;
  /** false with --no-cache */
  cache: boolean;
  force?: string[];
}

/** The workflow input's step-cache fields from --no-cache and --force (step names checked here). */
export function cacheInput(
  opts: Pick<RunOptions, 'cache' | 'force'>,
): Pick<PipelineInput, 'noCache' | 'force'> {
  const force = (opts.force ?? [])
    .flatMap((s) => s.split(','))
    .filter(Boolean)
    .map((s) => normalizeStepName(s));
  return { ...(opts.cache === false ? { noCache: true } : {}), ...(force.length ? { force } : {}) };
}

export async function runPipeline(
  c: CliContext,
  given: string[],
  opts: Omit<RunOptions, 'set'>,
  /** `mlpipe resume`: the run this one resumes. */
  resume?: string,
): Promise<void> {
  const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
  // Validate the overrides here, before anything starts: a wrong key is one clear error.
  const config = c.config;
  const localSource = absoluteSourceOverride(config.data.source);
  const cliOverrides = localSource ? [...given, localSource] : given;
  const server = await c.resolveServer(log);
  const client = await c.client(server.address);
  const workflowId = opts.id ?? newWorkflowId(resume ? 'resume' : 'train');
  const input: PipelineInput = {
    overrides: cliOverrides,
    trigger: { kind: 'cli', id: userInfo().username },
    ...cacheInput(opts),
    ...(resume ? { resume } : {}),
  };
  let worker: Awaited<ReturnType<typeof createPipelineWorker>> | undefined;
  // An in-process worker ends with this command; with --no-wait the run needs one that outlives it.
  const detach = !opts.wait && (server.embedded || Boolean(opts.worker));
  if (!opts.wait && !detach) {
    const pollers = await liveTaskQueuePollers(client, c.temporal.namespace, c.temporal.taskQueue).catch(
      () => undefined,
    );
    if (pollers?.length === 0)
      process.stderr.write(
        `${noWorkerMessage({
          address: server.address,
          taskQueue: c.temporal.taskQueue,
          command: workerCommand({
            address: c.temporal.address,
            devServerPort: c.config.temporal.dev_server.port,
            taskQueue: c.temporal.taskQueue,
          }),
          what: 'this run will wait until one does',
        })}\n`,
      );
  }
  if ((server.embedded || opts.worker) && !detach) {
    quietWorkerLogs();
    worker = await createPipelineWorker({
      address: server.address,
      namespace: c.temporal.namespace,
      taskQueue: c.temporal.taskQueue,
      configPath: c.options.config,
    });
  }
  const handle = await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: c.temporal.taskQueue,
    workflowId,
    args: [input],
    staticSummary: resume
      ? `Resume of ${resume} from the mlpipe CLI`
      : `Training run from the mlpipe CLI (${config.main.project_name}/${config.main.experiment_name})`,
    staticDetails: [
      ...(resume ? [`**Resumes:** \`${resume}\` (its config and overrides, then these)`] : []),
      `**Project:** ${config.main.project_name} · **experiment:** ${config.main.experiment_name}`,
      `**Steps:** ${config.main.execute_steps.join(' → ')}`,
      `**Data:** \`${config.data.source}\``,
      `**Overrides:** ${cliOverrides.length ? cliOverrides.map((o) => `\`${o}\``).join(' ') : 'none'}`,
      `**Config digest:** \`${configDigest(config).slice(0, 16)}\``,
    ].join('\n\n'),
  });
  const url = webUiRunUrl(server.uiUrl, c.temporal.namespace, workflowId, handle.firstExecutionRunId);
  log(`Started ${WORKFLOW_TYPE} ${workflowId}\nWeb UI: ${url}`);
  if (detach) {
    const detached = startDetachedWorker(c, workflowId);
    log(
      `A detached worker (pid ${detached.pid}) runs it and exits when it ends; its log: ${detached.logFile}`,
    );
  }
  if (!opts.wait) {
    if (opts.json) console.log(JSON.stringify({ workflowId, runId: handle.firstExecutionRunId, url }));
    return;
  }
  const resultPromise = handle.result() as Promise<PipelineResult>;
  const running = worker ? worker.worker.runUntil(resultPromise) : resultPromise;
  try {
    if (!opts.json) await watchProgress(handle, running, process.stdout);
    await running;
    const result = await resultPromise;
    let reportPath: string | undefined;
    if (result.reportRef) {
      try {
        const store = await c.getStore();
        const version = await store.resolve(result.reportRef);
        const dir = join(c.stateDir(), 'reports');
        await mkdir(dir, { recursive: true });
        reportPath = join(dir, `${workflowId}.html`);
        await writeFile(reportPath, await store.readFile(version, 'report.html'));
      } catch {
        reportPath = undefined; // The worker's store may not be reachable from here; the ref is printed anyway.
      }
    }
    if (opts.json) {
      console.log(JSON.stringify({ ...result, url, reportPath }));
    } else {
      log(`\n${resultTable(result)}`);
      log(`Model:   ${result.modelRef ?? '(not trained in this run)'}`);
      if (result.promotion)
        log(`Prod:    ${result.promotion.promoted ? 'promoted' : 'unchanged'} (${result.promotion.reason})`);
      log(
        `Report:  ${reportPath ?? result.reportRef ?? '-'}${reportPath && result.reportRef ? ` (${ARTIFACTS.report} ${result.reportRef})` : ''}`,
      );
      log(`Lineage: mlpipe lineage ${workflowId}`);
      if (result.mlflow)
        log(
          `MLflow:  ${result.mlflow.runUrl ?? result.mlflow.uri}${result.mlflow.unsynced.length ? ` (not synced: ${result.mlflow.unsynced.join(', ')}; send later with mlpipe sync ${workflowId})` : ''}`,
        );
      log(`Web UI:  ${url}`);
    }
  } catch (err) {
    const message = err instanceof WorkflowFailedError ? failureChain(err.cause ?? err) : failureChain(err);
    if (opts.json) console.log(JSON.stringify({ workflowId, status: 'failed', error: message, url }));
    log(`\nRun ${workflowId} failed:\n  ${message}\nWeb UI: ${url}`);
    process.exitCode = 1;
  } finally {
    if (worker) await worker.connection.close().catch(() => undefined);
  }
}
