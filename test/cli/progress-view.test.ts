/**
 * The CLI's progress view on a real Temporal dev server: a progress query that is still waiting for
 * a worker when the run ends must not keep the CLI alive, nor fire a retry on a closed connection.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WORKFLOW_TYPE } from '../../src/contract';
import { watchProgress } from '../../src/cli/progress-view';
import { startTemporal } from '../support/temporal';

let env: TestWorkflowEnvironment;

before(async () => {
  env = await startTemporal();
});
after(async () => {
  await env?.teardown();
});

void it('returns soon after the run ends while a query waits for an absent worker, and closing is safe', async () => {
  const connection = await Connection.connect({ address: env.address });
  const client = new Client({ connection, namespace: 'default' });
  // No worker polls this task queue, so the workflow's progress query can only wait.
  const handle = await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: 'nobody-polls-this-queue',
    workflowId: `progress-view-${Date.now()}`,
    args: [{ overrides: [], trigger: { kind: 'cli', id: 'test' } }],
  });
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const lines: string[] = [];
    const out = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const runEnds = new Promise((resolve) => setTimeout(resolve, 500));
    const t0 = performance.now();
    await watchProgress(handle, runEnds, out);
    const took = performance.now() - t0;
    assert.ok(
      took < 4_000,
      `watchProgress returned ${took.toFixed(0)} ms after start (the run ended at 500 ms)`,
    );
    await handle.terminate('test done');
    await connection.close();
    // A retry scheduled by a read that outlived the watch would throw on the closed channel about now.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.deepEqual(uncaught, []);
    assert.deepEqual(lines, [], 'no progress can be read without a worker');
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});
