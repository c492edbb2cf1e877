/** preprocess: drop exact duplicate rows and build the text feature, as the reference does. */
import { join } from 'node:path';
import { ARTIFACTS } from '../contract';
import { addTextFeature, dropDuplicates, readTable, writeCsv } from '../ml';
import type { ActivityDeps } from './deps';
import type { StepActivityInput, StepOutcome } from './types';
import { fetchArtifact, publishArtifact, tableFile } from './artifact-io';
import { deterministic } from './failures';
import { runStep } from './step-context';

export function createPreprocess(deps: ActivityDeps) {
  return (input: StepActivityInput): Promise<StepOutcome> =>
    runStep('preprocess', deps.workDir, async (run) => {
      const { config } = input;
      const store = await deps.storeFor(config);
      const raw = await fetchArtifact(store, input.inputs.raw, run.scratch);
      const file = tableFile(raw.dir, raw.version);
      const out = join(run.scratch, 'preprocessed_data.csv');
      const { rowsIn, rowsOut } = await deterministic(`${raw.version.ref} (${file})`, async () => {
        const table = await readTable(file, { naValues: config.data.na_values });
        const deduped = config.preprocess.drop_duplicates ? dropDuplicates(table) : table;
        const tf = config.preprocess.text_feature;
        const withText = tf ? addTextFeature(deduped, tf) : deduped;
        await writeCsv(withText, out);
        return { rowsIn: table.nRows, rowsOut: withText.nRows };
      });
      const produced = await publishArtifact(store, {
        name: ARTIFACTS.preprocessed,
        type: 'preprocessed_data',
        description: 'Deduplicated data with the text feature',
        metadata: { rows: rowsOut, dropped_duplicates: rowsIn - rowsOut },
        producer: run.producer,
        files: [{ path: 'preprocessed_data.csv', source: out }],
      });
      return {
        step: 'preprocess',
        consumed: [raw.resolved],
        produced: [produced],
        metrics: { rows: rowsOut, dropped_duplicates: rowsIn - rowsOut },
        summary: `${rowsIn} → ${rowsOut} rows (${rowsIn - rowsOut} duplicates dropped) → ${produced.ref}`,
      };
    });
}
