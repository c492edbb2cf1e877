/**
 * Safe upgrades during runs: a run started by a worker of the previous release is finished by a worker of
 * today's code. "Previous release" is the code just before the newest change to src/workflows (its parent
 * commit), so the test always spans the latest workflow change: its workflow files and src/contract.ts are
 * taken from git into a folder of their own and bundled. The old worker runs the first steps, stops; today's
 * worker takes the run over, replays its history (a change not behind patched() fails here with a
 * nondeterminism error) and completes it. Real dev server, real workers, real filesystem store.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { PipelineInput, PipelineResult } from '../../src/contract';
import { WORKFLOW_TYPE } from '../../src/contract';
import { createActivities } from '../../src/activities';
import { storeOpener } from '../../src/worker';
import { startTemporal } from '../support/temporal';

const ROOT = join(__dirname, '..', '..');
const TASK_QUEUE = 'upgrade-mid-run';

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** The commit before the newest change to the workflow code, or why there is none to test against. */
function previousRelease(): { commit: string; changed: string } | string {
  const newest = git(['log', '-1', '--format=%H', '--', 'src/workflows']);
  if (!newest) return 'no git history of src/workflows (a shallow clone?)';
  const previous = git(['rev-parse', '--verify', '--quiet', `${newest}^`]);
  if (!previous || git(['cat-file', '-e', `${previous}:src/workflows/index.ts`]) === undefined)
    return 'the newest workflow change has no previous release to start from';
  return { commit: previous, changed: newest };
}

const release = previousRelease();
let env: TestWorkflowEnvironment;
const work = mkdtempSync(join(tmpdir(), 'mlpipe-upgrade-'));
// Inside the checkout so that the old files resolve @temporalio/workflow from its node_modules.
const oldSrc = join(ROOT, '.mlpipe', `upgrade-test-${process.pid}`);

before(async () => {
  if (typeof release === 'string') return;
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
  rmSync(work, { recursive: true, force: true });
  rmSync(oldSrc, { recursive: true, force: true });
});

function oldWorkflowsPath(commit: string): string {
  const files = git(['ls-tree', '-r', '--name-only', commit, 'src/workflows'])?.split('\n') ?? [];
  for (const file of [...files, 'src/contract.ts']) {
    const target = join(oldSrc, file);
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, execFileSync('git', ['show', `${commit}:${file}`], { cwd: ROOT }));
  }
  return join(oldSrc, 'src', 'workflows', 'index.ts');
}

async function pipelineWorker(workflowBundle: {
  code: string;
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address: env.address });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle,
    activities: createActivities({
      workDir: join(work, 'work'),
      storeFor: storeOpener(work),
      codeVersion: { package: 'upgrade-test', version: '0', node: process.version },
      searchAttributes: true,
    }),
    // Worker B must not find the run in a sticky cache of worker A: each replays from the history.
    maxCachedWorkflows: 0,
    shutdownGraceTime: '5s',
  });
  return { worker, connection };
}

void it(
  "a run started on the previous release completes on today's worker",
  { timeout: 600_000, skip: typeof release === 'string' ? release : false },
  async () => {
    const { commit, changed } = release as { commit: string; changed: string };
    const [oldBundle, newBundle] = [
      await bundleWorkflowCode({ workflowsPath: oldWorkflowsPath(commit), logger: quietLogger }),
      await bundleWorkflowCode({
        workflowsPath: require.resolve('../../src/workflows'),
        logger: quietLogger,
      }),
    ];
    const input: PipelineInput = {
      overrides: [
        `storage.uri=${join(work, 'store')}`,
        'data.sample.rows=600',
        'random_forest_pipeline.random_forest.n_estimators=5',
      ],
      trigger: { kind: 'cli', id: 'upgrade-test' },
    };
    const workflowId = `upgrade-${commit.slice(0, 8)}-to-${changed.slice(0, 8)}`;

    // The previous release's worker starts the run and does its first steps.
    const a = await pipelineWorker(oldBundle);
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [input],
    });
    await a.worker.runUntil(async () => {
      for (;;) {
        const events = (await handle.fetchHistory()).events ?? [];
        const done = events.filter((e) => e.activityTaskCompletedEventAttributes).length;
        if (done >= 3) return; // resolveRun, getData, preprocess: well inside the run
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    await a.connection.close();
    assert.equal((await handle.describe()).status.name, 'RUNNING', 'the old worker left the run unfinished');

    // Today's worker takes it over and finishes it.
    const b = await pipelineWorker(newBundle);
    const result = (await b.worker.runUntil(
      Promise.race([
        handle.result() as Promise<PipelineResult>,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error('the run did not complete on the new worker (nondeterminism?)')),
            300_000,
          ),
        ),
      ]),
    )) as PipelineResult;
    await b.connection.close();
    assert.ok(result.modelRef?.startsWith('model_export:v'), JSON.stringify(result.steps));
    const events = (await handle.fetchHistory()).events ?? [];
    assert.equal(
      events.filter((e) => e.workflowTaskFailedEventAttributes).length,
      0,
      'no workflow task failed (no nondeterminism on the new code)',
    );
  },
);

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};
