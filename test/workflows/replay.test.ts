/**
 * Guards workflow determinism: a history recorded from a real run (test/fixtures/histories, refreshed
 * with MLPIPE_RECORD_HISTORY=1 npm test -- e2e/pipeline) must replay against today's workflow code.
 */
import { it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';

void it(
  'replays the recorded trainingPipeline history without nondeterminism',
  { timeout: 120_000 },
  async () => {
    const history = JSON.parse(
      readFileSync(join(__dirname, '../fixtures/histories/training-pipeline.json'), 'utf8'),
    );
    await Worker.runReplayHistory(
      { workflowsPath: require.resolve('../../src/workflows') },
      history,
      'recorded-run',
    );
  },
);
