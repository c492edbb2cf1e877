/**
 * Issue 14's figures: the step cache on a real dev server, in one run, against the uncached pipeline.
 *
 *   npm run bench:cache -- [--data PATH] [--json]
 *
 * 1. a warm-up run (module loading, bundles, JIT) that also makes its data the reference dataset;
 * 2. the reference pipeline with `noCache` (every step runs): the uncached figure;
 * 3. the same input again: every step should be a hit (workflow time from the history);
 * 4. one forest hyperparameter changed: only train_random_forest and evaluate should run;
 * 5. a worker whose check_data code has a changed rule (an edit measured, not made: the code digest
 *    is taken over the edited source): check_data should run, the steps whose inputs did not change
 *    should not; then the same with a comment-only edit: nothing should run.
 * Default data: ../shared/data/genres_mod.parquet when present, else the bundled sample.
 * Appends a JSON line to bench/history/cache.jsonl.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TASK_QUEUE, WORKFLOW_TYPE, type PipelineInput, type PipelineResult } from '../src/contract';
import { createPipelineWorker } from '../src/worker';
import { computeStepCodeDigests } from '../src/cache/code-digest';
import { exampleConfigPath } from '../src/config';
import { startTemporal } from '../test/support/temporal';

const { values: args } = parseArgs({
  options: { data: { type: 'string' }, json: { type: 'boolean', default: false } },
});
const candidates = ['../../shared/data/genres_mod.parquet', '../../../shared/data/genres_mod.parquet'].map(
  (p) => resolve(__dirname, p),
);
const data = args.data?.startsWith('sample:')
  ? args.data
  : args.data
    ? resolve(args.data)
    : (candidates.find((p) => existsSync(p)) ?? 'sample:genres');
/** The check_data rule the bench edits: a row-count bound, whose outcome is the same on this data. */
const CHECKS_FILE = resolve(__dirname, '../src/checks/data-checks.ts');
const RULE = 'table.nRows < spec.min_rows';
const RULE_EDITED = 'table.nRows <= spec.min_rows - 1';

interface Measured {
  label: string;
  workflow_s: number;
  ran: string[];
  hits: string[];
  reasons: Record<string, string>;
  test_auc_ovo?: number;
  /** Each activity's scheduled → completed time, in history order. */
  activities: [string, number][];
}

async function runOnce(
  env: TestWorkflowEnvironment,
  label: string,
  input: PipelineInput,
  id: string,
): Promise<Measured> {
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: TASK_QUEUE,
    workflowId: id,
    args: [input],
  });
  const result = (await handle.result()) as PipelineResult;
  const d = await handle.describe();
  const history = await handle.fetchHistory();
  const scheduled = new Map<string, { type: string; at: number }>();
  const activities: [string, number][] = [];
  const ms = (t: unknown) =>
    Number((t as { seconds?: { toNumber(): number } }).seconds?.toNumber() ?? 0) * 1000 +
    Number((t as { nanos?: number }).nanos ?? 0) / 1e6;
  for (const e of history.events ?? []) {
    if (e.activityTaskScheduledEventAttributes)
      scheduled.set(String(e.eventId), {
        type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?',
        at: ms(e.eventTime),
      });
    const done = e.activityTaskCompletedEventAttributes;
    if (done) {
      const s = scheduled.get(String(done.scheduledEventId));
      if (s) activities.push([s.type, Math.round(ms(e.eventTime) - s.at)]);
    }
  }
  return {
    activities,
    label,
    workflow_s: ((d.closeTime?.getTime() ?? 0) - d.startTime.getTime()) / 1000,
    ran: result.steps.filter((s) => !s.cache?.hit).map((s) => s.step),
    hits: result.steps.filter((s) => s.cache?.hit).map((s) => s.step),
    reasons: Object.fromEntries(
      result.steps.filter((s) => !s.cache?.hit).map((s) => [s.step, s.cache?.reason ?? '']),
    ),
    test_auc_ovo: result.metrics.test_auc_ovo,
  };
}

async function withWorker<T>(
  env: TestWorkflowEnvironment,
  workDir: string,
  edits: Record<string, string> | undefined,
  body: () => Promise<T>,
): Promise<T> {
  const digests = edits ? computeStepCodeDigests({ edits }) : undefined;
  const { worker }: { worker: Worker } = await createPipelineWorker({
    address: env.address,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workDir,
    // The reference table needs its example config (its target, text feature and data tests).
    ...(data.endsWith('genres_mod.parquet') ? { configPath: exampleConfigPath('genres') } : {}),
    ...(digests ? { codeDigests: () => digests } : {}),
  });
  const running = worker.run();
  try {
    // The edited code's digests first: the run then measures the cache, not esbuild.
    await digests;
    return await body();
  } finally {
    worker.shutdown();
    await running;
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const source = readFileSync(CHECKS_FILE, 'utf8');
  if (!source.includes(RULE))
    throw new Error(`${CHECKS_FILE} no longer contains "${RULE}": update the bench's edit`);
  const env = await startTemporal();
  const dir = mkdtempSync(join(tmpdir(), 'mlpipe-bench-cache-'));
  const work = join(dir, 'work');
  const base = [`data.source=${data}`, `storage.uri=${join(dir, 'store')}`];
  const results: Measured[] = [];
  try {
    await withWorker(env, work, undefined, async () => {
      // Warm-up on the same store: it also makes its data the reference, as in a store in use (a
      // first run tags its own data as the reference, so the run after it checks the data anew).
      await runOnce(env, 'warm-up', { overrides: base, noCache: true }, 'bench-cache-warmup');
      results.push(
        await runOnce(
          env,
          'uncached (--no-cache)',
          { overrides: base, noCache: true },
          'bench-cache-uncached',
        ),
      );
      results.push(
        await runOnce(env, 'second run, nothing changed', { overrides: base }, 'bench-cache-unchanged'),
      );
      results.push(
        await runOnce(
          env,
          'max_depth 13 → 15',
          { overrides: [...base, 'random_forest_pipeline.random_forest.max_depth=15'] },
          'bench-cache-depth',
        ),
      );
    });
    await withWorker(env, work, { [CHECKS_FILE]: source.replace(RULE, RULE_EDITED) }, async () => {
      results.push(
        await runOnce(env, 'check_data rule edited', { overrides: base }, 'bench-cache-code-edit'),
      );
    });
    await withWorker(env, work, { [CHECKS_FILE]: `// a comment only\n${source}` }, async () => {
      results.push(
        await runOnce(env, 'check_data comment edited', { overrides: base }, 'bench-cache-comment-edit'),
      );
    });
  } finally {
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
  const [uncached, unchanged, depth, codeEdit, commentEdit] = results;
  console.log(
    `where the all-hits run's time goes: ${unchanged.activities.map(([a, ms]) => `${a} ${ms} ms`).join(', ')}`,
  );
  for (const r of results)
    console.log(
      `${r.label.padEnd(30)} workflow ${r.workflow_s.toFixed(2)} s  ran [${r.ran.join(', ')}]  hits [${r.hits.join(', ')}]`,
    );
  const summary = {
    at: new Date().toISOString(),
    data,
    uncached_s: uncached.workflow_s,
    all_hits_s: unchanged.workflow_s,
    all_hits_over_uncached: Math.round((unchanged.workflow_s / uncached.workflow_s) * 1000) / 1000,
    all_hits: unchanged.ran.length === 0,
    all_hits_activities: unchanged.activities,
    unchanged_ran: unchanged.ran,
    unchanged_reasons: unchanged.reasons,
    depth_ran: depth.ran,
    depth_reasons: depth.reasons,
    depth_s: depth.workflow_s,
    code_edit_ran: codeEdit.ran,
    code_edit_reasons: codeEdit.reasons,
    comment_edit_ran: commentEdit.ran,
    test_auc_ovo: uncached.test_auc_ovo,
  };
  console.log(
    `all hits: ${summary.all_hits_s.toFixed(2)} s vs uncached ${summary.uncached_s.toFixed(2)} s (${summary.all_hits_over_uncached} ×); target ≤ 0.5 s: ${summary.all_hits_s <= 0.5 ? 'met' : 'NOT met'}`,
  );
  appendFileSync(resolve(__dirname, 'history/cache.jsonl'), `${JSON.stringify(summary)}\n`);
  if (args.json) console.log(JSON.stringify(summary));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
