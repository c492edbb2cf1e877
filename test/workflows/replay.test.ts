/**
 * Guards workflow determinism: every history recorded from a real run (test/fixtures/histories/*.json)
 * must replay against today's workflow code. Histories are kept, not refreshed: a new feature or release
 * adds its own file (e.g. MLPIPE_RECORD_HISTORY=NAME npm test -- e2e/pipeline writes NAME.json), so that
 * runs started by older workers keep replaying on newer ones.
 */
import { before, it } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const dir = join(__dirname, '../fixtures/histories');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

// One bundle for every history: bundling is most of a replay's time.
let bundle: WorkflowBundleWithSourceMap;
before(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows') });
});

void it('has recorded histories to replay', () => {
  if (files.length === 0) throw new Error(`no histories in ${dir}`);
});

for (const file of files) {
  void it(`replays ${file} without nondeterminism`, { timeout: 120_000 }, async () => {
    const history = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, file.replace(/\.json$/, ''));
  });
}
