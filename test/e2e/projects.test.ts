/**
 * Two projects in one store on a real Temporal dev server: concurrent runs of each never see the
 * other's latest, prod or reference, and a run whose prod model serves another task completes with a
 * decision that says why prod was kept.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { PipelineInput, PipelineResult } from '../../src/contract';
import { TASK_QUEUE, WORKFLOW_TYPE } from '../../src/contract';
import { createPipelineWorker } from '../../src/worker';
import { openStore } from '../../src/store';
import { loadModelExport } from '../../src/ml';
import { startTemporal } from '../support/temporal';

/** A binary table of another task: other columns, other classes. */
function otherTaskCsv(rows: number): string {
  const lines = ['width,height,shape,label'];
  let seed = 7;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < rows; i++) {
    const width = next() * 10;
    const height = next() * 10;
    const shape = ['round', 'square', 'flat'][i % 3];
    const label = width + height + (shape === 'round' ? 2 : 0) + next() * 3 > 11 ? 'large' : 'small';
    lines.push(`${width.toFixed(3)},${height.toFixed(3)},${shape},${label}`);
  }
  return `${lines.join('\n')}\n`;
}

void describe('two projects in one store', { timeout: 300_000 }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let work: string;
  let storeDir: string;
  let otherCsv: string;

  function run(
    workflowId: string,
    overrides: string[],
    inputs?: PipelineInput['inputs'],
  ): Promise<PipelineResult> {
    const input: PipelineInput = {
      ...(inputs ? { inputs } : {}),
      overrides: [
        `storage.uri=${storeDir}`,
        'random_forest_pipeline.random_forest.n_estimators=15',
        ...overrides,
      ],
      trigger: { kind: 'cli', id: 'test' },
    };
    return env.client.workflow.execute(WORKFLOW_TYPE, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  }
  const alphaRun = (id: string, extra: string[] = []) =>
    run(id, ['main.project_name=alpha', 'data.sample.rows=2500', ...extra]);
  const betaRun = (id: string, extra: string[] = []) =>
    run(id, ['main.project_name=beta', `data.source=${otherCsv}`, 'data.target=label', ...extra]);

  before(async () => {
    env = await startTemporal();
    work = mkdtempSync(join(tmpdir(), 'mlpipe-projects-e2e-'));
    storeDir = join(work, 'store');
    otherCsv = join(work, 'shapes.csv');
    writeFileSync(otherCsv, otherTaskCsv(900));
    ({ worker } = await createPipelineWorker({
      address: env.address,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      workDir: join(work, '.work'),
    }));
    running = worker.run();
  });

  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  async function prodClasses(project: string): Promise<string[]> {
    const store = openStore(storeDir, { project });
    const dir = await store.download(await store.resolve('model_export:prod'), join(work, `prod-${project}`));
    return [...(await loadModelExport(dir)).pipeline.classes];
  }

  void it('runs each project concurrently, each promoting its own first model', async () => {
    const [alpha, beta] = await Promise.all([alphaRun('projects-alpha-1'), betaRun('projects-beta-1')]);
    assert.equal(alpha.promotion?.promoted, true, alpha.promotion?.reason);
    assert.equal(beta.promotion?.promoted, true, beta.promotion?.reason);
    assert.ok((beta.metrics.test_roc_auc ?? 0) > 0.8, `binary ROC-AUC ${beta.metrics.test_roc_auc}`);

    const a = openStore(storeDir, { project: 'alpha' });
    const b = openStore(storeDir, { project: 'beta' });
    for (const name of ['preprocessed_data', 'model_export']) {
      const [ra, rb] = [await a.resolve(`${name}:latest`), await b.resolve(`${name}:latest`)];
      assert.notEqual(ra.digest, rb.digest, `${name}:latest differs between projects`);
      assert.equal(ra.producer?.workflowId, 'projects-alpha-1');
      assert.equal(rb.producer?.workflowId, 'projects-beta-1');
    }
    assert.equal((await a.resolve('preprocessed_data:reference')).producer?.workflowId, 'projects-alpha-1');
    assert.equal((await b.resolve('preprocessed_data:reference')).producer?.workflowId, 'projects-beta-1');
    assert.deepEqual(await prodClasses('beta'), ['large', 'small']);
    assert.ok((await prodClasses('alpha')).length > 2, 'alpha serves the multiclass sample');
  });

  void it('completes a run whose prod serves another task, keeps prod and says why', async () => {
    const alpha = openStore(storeDir, { project: 'alpha' });
    const prodBefore = (await alpha.getAliases('model_export')).prod;
    // The other table in alpha, past check_data (which would rightly refuse it against alpha's reference).
    const result = await run('projects-alpha-other-task', [
      'main.project_name=alpha',
      `data.source=${otherCsv}`,
      'data.target=label',
      'main.execute_steps=[get_data,preprocess,segregate,train_random_forest,evaluate]',
    ]);
    assert.equal(result.promotion?.promoted, false);
    assert.match(result.promotion?.reason ?? '', /serves another task \(classes differ/);
    assert.match(result.promotion?.reason ?? '', /prod kept/);
    assert.equal((await alpha.getAliases('model_export')).prod, prodBefore, 'prod did not move');
  });

  void it("never promotes another project's model into this project's prod", async () => {
    const beta = openStore(storeDir, { project: 'beta' });
    const prodBefore = await beta.getAliases('model_export');
    // alpha's latest model is now one of beta's task (the run above), so it scores on beta's test split.
    const result = await run(
      'projects-beta-evaluates-alpha',
      [
        'main.project_name=beta',
        `data.source=${otherCsv}`,
        'data.target=label',
        'main.execute_steps=[evaluate]',
      ],
      { model: 'alpha/model_export:latest' },
    );
    assert.equal(result.promotion?.promoted, false);
    assert.match(
      result.promotion?.reason ?? '',
      /belongs to project alpha; prod of project beta only moves to its own/,
    );
    assert.deepEqual(await beta.getAliases('model_export'), prodBefore);
  });
});
