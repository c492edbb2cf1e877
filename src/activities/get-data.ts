/**
 * get_data: bring data.source in, check that it parses (with data.na_values), and log it as
 * raw_data, a typed Parquet table, so that no later step parses text or infers types again. A
 * Parquet source is logged as it came (its bytes are the lineage record, and it is typed already);
 * a CSV source is parsed once and written as Parquet.
 */
import { join } from 'node:path';
import { ARTIFACTS } from '../contract';
import { projectRoot } from '../config';
import { fetchSource } from '../data-sources/fetch-source';
import { readTable, writeParquet } from '../ml';
import type { ActivityDeps } from './deps';
import type { StepActivityInput, StepOutcome } from './types';
import { publishArtifact, tableFileName } from './artifact-io';
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
      const out = fetched.format === 'parquet' ? fetched.file : join(run.scratch, tableFileName('raw_data'));
      const table = await deterministic(`data.source ${fetched.recordedSource}`, async () => {
        const t = await readTable(fetched.file, { naValues: config.data.na_values });
        if (t.nRows === 0) throw new Error('the table has no rows');
        if (out !== fetched.file) await writeParquet(t, out);
        return { nRows: t.nRows, names: t.names };
      });
      const raw = await publishArtifact(store, {
        name: ARTIFACTS.raw,
        type: 'raw_data',
        description: `Raw data from ${fetched.recordedSource}`,
        metadata: {
          source: fetched.recordedSource,
          rows: table.nRows,
          columns: table.names,
          format: 'parquet',
          source_format: fetched.format,
        },
        producer: run.producer,
        files: [{ path: tableFileName('raw_data'), source: out }],
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
