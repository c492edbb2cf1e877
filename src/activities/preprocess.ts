/**
 * preprocess: drop exact duplicate rows. The reference also built its text feature here; that now
 * happens inside the inference pipeline (preprocess.text_feature), so that the exported model
 * scores raw rows.
 */
import { join } from 'node:path';
import { ARTIFACTS } from '../contract';
import { dropDuplicates, readTable, writeParquet } from '../ml';
import type { ActivityDeps } from './deps';
import type { StepActivityInput, StepOutcome } from './types';
import { fetchArtifact, publishArtifact, tableFile, tableFileName } from './artifact-io';
import { deterministic } from './failures';
import { runStep } from './step-context';

export function createPreprocess(deps: ActivityDeps) {
  return (input: StepActivityInput): Promise<StepOutcome> =>
    runStep('preprocess', deps.workDir, async (run) => {
      const { config } = input;
      const store = await deps.storeFor(config);
      const raw = await fetchArtifact(store, input.inputs.raw, run.scratch);
      const file = tableFile(raw.dir, raw.version);
      const out = join(run.scratch, tableFileName('preprocessed_data'));
      const { rowsIn, rowsOut } = await deterministic(`${raw.version.ref} (${file})`, async () => {
        const table = await readTable(file, { naValues: config.data.na_values });
        const deduped = config.preprocess.drop_duplicates ? dropDuplicates(table) : table;
        await writeParquet(deduped, out);
        return { rowsIn: table.nRows, rowsOut: deduped.nRows };
      });
      const produced = await publishArtifact(store, {
        name: ARTIFACTS.preprocessed,
        type: 'preprocessed_data',
        description: 'Deduplicated raw data',
        metadata: { rows: rowsOut, dropped_duplicates: rowsIn - rowsOut },
        producer: run.producer,
        files: [{ path: tableFileName('preprocessed_data'), source: out }],
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
