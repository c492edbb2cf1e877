/** segregate: a stratified, seeded train/test split into data_train and data_test. */
import { join } from 'node:path';
import { ARTIFACTS } from '../contract';
import { readTable, writeCsv } from '../ml';
import { splitTable } from './model-metrics';
import { datasetTarget, stratifyColumn } from './dataset';
import type { ActivityDeps } from './deps';
import type { StepActivityInput, StepOutcome } from './types';
import { fetchArtifact, publishArtifact, tableFile } from './artifact-io';
import { deterministic } from './failures';
import { runStep } from './step-context';

export function createSegregate(deps: ActivityDeps) {
  return (input: StepActivityInput): Promise<StepOutcome> =>
    runStep('segregate', deps.workDir, async (run) => {
      const { config } = input;
      const store = await deps.storeFor(config);
      const data = await fetchArtifact(store, input.inputs.data, run.scratch);
      const trainFile = join(run.scratch, 'data_train.csv');
      const testFile = join(run.scratch, 'data_test.csv');
      const sizes = await deterministic(data.version.ref, async () => {
        const table = await readTable(tableFile(data.dir, data.version), { naValues: config.data.na_values });
        const stratify = stratifyColumn(config, datasetTarget(config, table));
        const { train, test } = splitTable(table, config.data.test_size, stratify, config.main.random_seed);
        await writeCsv(train, trainFile);
        await writeCsv(test, testFile);
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
        files: [{ path: 'data_train.csv', source: trainFile }],
      });
      const test = await publishArtifact(store, {
        ...common,
        name: ARTIFACTS.test,
        type: 'segregated_data',
        description: `Test split (${sizes.test} rows)`,
        files: [{ path: 'data_test.csv', source: testFile }],
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
