/**
 * The approval round trip (issue 18's figure: under 1 s from the command to the moved alias). On a
 * real dev server and a filesystem store: a weak model is prod, a stronger one waits for approval in
 * an evaluate-only run (evaluate.approval: required), and `mlpipe approve` is run as a user would.
 * Per round it reports the time from spawning the command to the alias move's own timestamp (the
 * process start included), and the command's own time from its start to the update's answer (which
 * comes after the move). Rounds alternate between the TypeScript sources (tsx) and the compiled CLI
 * (`npm run build` first; MLPIPE_USE_DIST=1), so a noisy moment hits both, and a third mode sends the
 * same update from the bench's own connected client: the gate's cost without a process start.
 *
 *   npm run bench:approval -- [--rounds 3] [--json]
 */
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { TASK_QUEUE, WORKFLOW_TYPE, type PipelineInput, type PipelineProgress } from '../src/contract';
import { createPipelineWorker } from '../src/worker';
import { openStore } from '../src/store';
import { startTemporal } from '../test/support/temporal';

const exec = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'bin', 'mlpipe');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '3' }, json: { type: 'boolean' } },
  });
  const rounds = Number(values.rounds);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await startTemporal();
  const dir = mkdtempSync(join(tmpdir(), 'mlpipe-bench-approval-'));
  const store = openStore(dir, { project: 'default' });
  const base = [`storage.uri=${dir}`, 'data.sample.rows=2000'];
  const { worker } = await createPipelineWorker({
    address: env.address,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workDir: join(dir, '.work'),
  });
  const running = worker.run();
  const start = (id: string, overrides: string[], inputs?: PipelineInput['inputs']) =>
    env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: id,
      args: [{ overrides: [...base, ...overrides], inputs } satisfies PipelineInput],
    });
  // `client`: the same update from an already connected client, so the gate's own cost shows alone.
  const modes = ['client', 'tsx', ...(existsSync(join(ROOT, 'dist', 'cli', 'main.js')) ? ['dist'] : [])];
  const results: { mode: string; toMovedAliasMs: number; commandMs: number; processMs: number }[] = [];
  try {
    const weak = await (
      await start('bench-weak', [
        'random_forest_pipeline.random_forest.max_depth=1',
        'random_forest_pipeline.random_forest.n_estimators=3',
      ])
    ).result();
    const strong = await (
      await start('bench-strong', ['random_forest_pipeline.random_forest.n_estimators=10'])
    ).result();
    const weakVersion = Number(weak.modelRef!.split(':v')[1]);
    for (let round = 0; round < rounds; round++) {
      for (const mode of modes) {
        await store.moveAlias('model_export', 'prod', weakVersion, {
          reason: 'bench: reset',
          actor: 'bench',
        });
        const id = `bench-approve-${round}-${mode}`;
        const handle = await start(id, ['evaluate.approval=required', 'main.execute_steps=[evaluate]'], {
          model: strong.modelRef,
        });
        await awaiting(handle);
        const spawnedAt = Date.now();
        const t0 = performance.now();
        const stdout =
          mode === 'client'
            ? `[${await timed(() => handle.executeUpdate('approve', { args: [{ reason: 'bench', actor: 'bench' }] }))} ms]`
            : (
                await exec(process.execPath, [CLI, 'approve', id, '--reason', 'bench'], {
                  env: {
                    ...process.env,
                    TEMPORAL_ADDRESS: env.address,
                    ...(mode === 'dist' ? { MLPIPE_USE_DIST: '1' } : {}),
                  },
                })
              ).stdout;
        const processMs = performance.now() - t0;
        const moved = (await store.aliasHistory('model_export', 'prod')).at(-1)!;
        if (moved.details?.workflowId !== id) throw new Error(`${id}: prod did not move (${stdout.trim()})`);
        const commandMs = Number(/\[(\d+) ms\]/.exec(stdout)?.[1]);
        results.push({
          mode,
          toMovedAliasMs: Date.parse(moved.at) - spawnedAt,
          commandMs,
          processMs: Math.round(processMs),
        });
        await handle.result();
      }
    }
  } finally {
    worker.shutdown();
    await running;
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = Object.fromEntries(
    modes.map((mode) => {
      const mine = results.filter((r) => r.mode === mode);
      return [
        mode,
        {
          toMovedAliasMs: median(mine.map((r) => r.toMovedAliasMs)),
          commandMs: median(mine.map((r) => r.commandMs)),
          processMs: median(mine.map((r) => r.processMs)),
        },
      ];
    }),
  );
  const line = { at: new Date().toISOString(), rounds, summary, results };
  appendFileSync(join(ROOT, 'bench', 'history', 'approval.jsonl'), `${JSON.stringify(line)}\n`);
  if (values.json) console.log(JSON.stringify(line));
  else
    for (const [mode, s] of Object.entries(summary))
      console.log(
        `${mode}: command start → alias moved ${s.toMovedAliasMs} ms (median); the command's own ${s.commandMs} ms; whole process ${s.processMs} ms`,
      );
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return Math.round(performance.now() - t0);
}

async function awaiting(handle: WorkflowHandle): Promise<void> {
  for (;;) {
    const progress = await handle.query<PipelineProgress>('progress');
    if (progress.status === 'awaiting_approval') return;
    if (progress.status === 'failed') throw new Error(`${handle.workflowId} failed`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
