/** segregate: a stratified, seeded train/test split into data_train and data_test. */
import { join } from 'node:path';
import { ARTIFACTS } from '../contract';
import { readTable, writeParquet } from '../ml';
import { splitTable } from './model-metrics';
import { datasetTarget, stratifyColumn } from './dataset';
import type { ActivityDeps } from './deps';
import type { StepActivityInput, StepOutcome } from './types';
import { fetchArtifact, publishArtifact, tableFile, tableFileName } from './artifact-io';
import { deterministic } from './failures';
import { runStep } from './step-context';

export function createSegregate(deps: ActivityDeps) {
  return (input: StepActivityInput): Promise<StepOutcome> =>
    runStep('segregate', deps.workDir, async (run) => {
      const { config } = input;
      const store = await deps.storeFor(config);
      const data = await fetchArtifact(store, input.inputs.data, run.scratch);
      const trainFile = join(run.scratch, tableFileName('data_train'));
      const testFile = join(run.scratch, tableFileName('data_test'));
      const sizes = await deterministic(data.version.ref, async () => {
        const table = await readTable(tableFile(data.dir, data.version), { naValues: config.data.na_values });
        const stratify = stratifyColumn(config, datasetTarget(config, table));
        const { train, test } = splitTable(table, config.data.test_size, stratify, config.main.random_seed);
        await writeParquet(train, trainFile);
        await writeParquet(test, testFile);
        return { train: train.nRows, test: test.nRows, stratify };
      });
      const common = {
        producer: run.producer,
        metadata: { stratify: sizes.stratify, seed: config.main.random_seed },
      };
      const train = await publishArtifact(store, {
        ...common,
        name: ARTIFACTS.train,
        type: 'segregated_data',
        description: `Training split (${sizes.train} rows)`,
        files: [{ path: tableFileName('data_train'), source: trainFile }],
      });
      const test = await publishArtifact(store, {
        ...common,
        name: ARTIFACTS.test,
        type: 'segregated_data',
        description: `Test split (${sizes.test} rows)`,
        files: [{ path: tableFileName('data_test'), source: testFile }],
      });
      return {
        step: 'segregate',
        consumed: [data.resolved],
        produced: [train, test],
        metrics: { train_rows: sizes.train, test_rows: sizes.test },
        summary: `train ${sizes.train} rows → ${train.ref}, test ${sizes.test} rows → ${test.ref}`,
      };
    });
}
