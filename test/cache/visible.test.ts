/** The step cache as users see it: the Web UI's current-details table, the HTML report, the CLI cell. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineProgress } from '../../src/contract';
import { renderProgressMarkdown } from '../../src/workflows/progress-table';
import { renderRunReport } from '../../src/report';
import { cacheCell, cacheInput } from '../../src/cli/commands/run';

const KEY = 'ab12'.repeat(16);
const progress: PipelineProgress = {
  workflowId: 'wf-2',
  status: 'completed',
  steps: [
    {
      step: 'get_data',
      status: 'completed',
      attempts: 0,
      durationMs: 12,
      summary: 'cached from wf-1/get_data: 10 rows',
      cache: { hit: true, key: KEY, reason: 'cached from wf-1/get_data', from: 'wf-1/get_data' },
    },
    {
      step: 'train_random_forest',
      status: 'completed',
      attempts: 1,
      durationMs: 900,
      summary: 'fit',
      cache: { hit: false, key: KEY, reason: 'random_forest_pipeline.random_forest.max_depth 13 → 15' },
    },
  ],
};

void describe('step cache, visible', () => {
  void it('marks cached steps in the Web UI table and says why a step ran', () => {
    const md = renderProgressMarkdown(progress);
    assert.match(md, /\| 1 \| get_data \| ♻️ cached \|/);
    assert.match(
      md,
      /\| 2 \| train_random_forest \| ✅ completed \| 1 \| .* \(ran: random_forest_pipeline\.random_forest\.max_depth 13 → 15\) \|/,
    );
  });

  void it('lists hits and misses in the HTML report', () => {
    const html = renderRunReport({
      workflowId: 'wf-2',
      status: 'completed',
      trigger: { kind: 'cli' },
      metrics: {},
      steps: progress.steps,
      artifacts: [],
      config: {},
      configDigest: 'd'.repeat(64),
      codeVersion: { package: 'p', version: '1', node: 'v20' },
    } as Parameters<typeof renderRunReport>[0]);
    assert.ok(html.includes('1 hits (get_data), 1 misses (train_random_forest)'));
    assert.ok(html.includes('hit: cached from wf-1/get_data'));
    assert.ok(html.includes('miss: random_forest_pipeline.random_forest.max_depth 13 → 15'));
    assert.ok(html.includes(`key ${KEY.slice(0, 12)}`));
  });

  void it("shows the CLI's cache cell", () => {
    assert.equal(cacheCell(progress.steps[0].cache), 'hit ab12ab12ab12: wf-1/get_data');
    assert.equal(
      cacheCell(progress.steps[1].cache),
      'ran ab12ab12ab12: random_forest_pipeline.random_forest.max_depth 13 → 15',
    );
    assert.equal(cacheCell(undefined), '');
  });

  void it('turns --no-cache and --force into the workflow input, with the reference step names', () => {
    assert.deepEqual(cacheInput({ cache: true }), {});
    assert.deepEqual(cacheInput({ cache: false, force: ['random_forest,evaluate'] }), {
      noCache: true,
      force: ['train_random_forest', 'evaluate'],
    });
    assert.throws(() => cacheInput({ cache: true, force: ['trian'] }));
  });
});
