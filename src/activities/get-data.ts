/** get_data: bring data.source in, check that it parses, and log it as raw_data. */
import { ARTIFACTS } from '../contract';
import { projectRoot } from '../config';
import { fetchSource } from '../data-sources/fetch-source';
import { readTable } from '../ml';
import type { ActivityDeps } from './deps';
import type { StepActivityInput, StepOutcome } from './types';
import { publishArtifact } from './artifact-io';
import { deterministic } from './failures';
import { runStep } from './step-context';

export function createGetData(deps: ActivityDeps) {
  return (input: StepActivityInput): Promise<StepOutcome> =>
    runStep('get_data', deps.workDir, async (run) => {
      const { config } = input;
      const store = await deps.storeFor(config);
      const fetched = await fetchSource(config.data.source, run.scratch, {
        baseDir: projectRoot(),
        sample: config.data.sample,
        s3: { ...config.storage.s3, forcePathStyle: config.storage.s3.force_path_style },
        signal: run.signal,
      });
      const table = await deterministic(`data.source ${fetched.recordedSource}`, async () => {
        const t = await readTable(fetched.file, { naValues: config.data.na_values });
        if (t.nRows === 0) throw new Error('the table has no rows');
        return t;
      });
      const raw = await publishArtifact(store, {
        name: ARTIFACTS.raw,
        type: 'raw_data',
        description: `Raw data from ${fetched.recordedSource}`,
        metadata: {
          source: fetched.recordedSource,
          rows: table.nRows,
          columns: table.names,
          format: fetched.format,
        },
        producer: run.producer,
        files: [{ path: `raw_data.${fetched.format}`, source: fetched.file }],
      });
      return {
        step: 'get_data',
        consumed: [],
        produced: [raw],
        metrics: { raw_rows: table.nRows },
        summary: `${table.nRows} rows × ${table.names.length} columns from ${fetched.recordedSource} → ${raw.ref}`,
        details: { source: fetched.recordedSource },
      };
    });
}
