/**
 * A model whose text feature is built inside its inference pipeline scores rows as they come from
 * the source, through `mlpipe predict` and POST /invocations, with exactly the probabilities that a
 * model trained the old way (the joined column made by preprocess, outside the model) gives the
 * same rows after that preprocessing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { registerPredictCommand } from '../../src/cli/commands/predict';
import { DEFAULT_PROJECT, pipelineConfigSchema } from '../../src/config';
import { exportModel } from '../../src/ml/model-export';
import { fitInferencePipeline, type InferencePipeline } from '../../src/ml/pipeline';
import {
  addTextFeature,
  formatCsv,
  readTable,
  selectRows,
  tableFromRecords,
  type Table,
} from '../../src/ml/table';
import { generateSampleGenres } from '../../src/sample-data';
import { createScoringServer } from '../../src/serve';
import { openStore, type ArtifactStore } from '../../src/store';
import { smallSpec } from './fixture';

const TEXT = { name: 'text_feature', columns: ['title', 'song_name'], separator: ' ' };
const SEED = 11;

const rawTable = (rows: number, seed: number): Table =>
  tableFromRecords(generateSampleGenres({ rows, seed }));

let work: string;
let store: ArtifactStore;
let app: FastifyInstance;
let base: string;
let model: InferencePipeline;
let rawRows: Table;
let expectedProba: Float64Array;
let expectedLabels: string[];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlpipe-raw-rows-'));
  const training = rawTable(400, SEED);
  // Before: preprocess joined the text columns, and the model read the joined column.
  const before = await fitInferencePipeline(addTextFeature(training, TEXT), smallSpec(SEED));
  // Now: the model joins them itself.
  model = await fitInferencePipeline(training, { ...smallSpec(SEED), text_features: [TEXT] });

  rawRows = rawTable(80, 99).select(model.inputSchema.map((c) => c.name));
  const preprocessed = addTextFeature(rawRows, TEXT);
  expectedProba = before.predictProba(preprocessed);
  expectedLabels = before.predict(preprocessed);

  const dir = join(work, 'model_export');
  await exportModel(model, dir, { inputExample: selectRows(rawRows, [0, 1, 2]) });
  store = openStore(join(work, 'store'), { project: DEFAULT_PROJECT });
  const files = (await readdir(dir)).map((f) => ({ path: f, source: join(dir, f) }));
  await store.publish({ name: 'model_export', type: 'model', files, aliases: ['prod'] });
  app = await createScoringServer({ model: dir, cacheDir: join(work, 'cache') });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await app?.close();
  await rm(work, { recursive: true, force: true });
});

void describe('scoring raw rows', () => {
  void it('lists the source columns, not the derived one, in the input schema', () => {
    const names = model.inputSchema.map((c) => c.name);
    assert.ok(names.includes('title') && names.includes('song_name'));
    assert.ok(!names.includes('text_feature'));
  });

  void it('POST /invocations: the probabilities of the preprocessed row under the old model', async () => {
    const columns = [...rawRows.names];
    const data = Array.from({ length: rawRows.nRows }, (_, i) => columns.map((c) => rawRows.value(i, c)));
    const res = await fetch(`${base}/invocations?proba=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataframe_split: { columns, data } }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const { predictions } = (await res.json()) as {
      predictions: { class: string; probabilities: Record<string, number> }[];
    };
    const k = model.classes.length;
    predictions.forEach((p, i) => {
      assert.equal(p.class, expectedLabels[i], `row ${i}`);
      model.classes.forEach((c, j) =>
        assert.equal(p.probabilities[c], expectedProba[i * k + j], `row ${i} ${c}`),
      );
    });
  });

  void it('mlpipe predict on a raw CSV: the same probabilities', async () => {
    const input = join(work, 'raw.csv');
    const output = join(work, 'scored.csv');
    await writeFile(input, formatCsv(rawRows));
    const program = new Command('mlpipe').exitOverride();
    const config = pipelineConfigSchema.parse({});
    registerPredictCommand(program, { getStore: () => Promise.resolve(store), getConfig: () => config });
    await program.parseAsync(
      ['predict', '--model', 'model_export:prod', '--input', input, '--output', output],
      {
        from: 'user',
      },
    );
    const scored = await readTable(output);
    assert.deepEqual(scored.strings('prediction'), expectedLabels);
    const k = model.classes.length;
    model.classes.forEach((c, j) => {
      const got = scored.numeric(`proba_${c}`);
      for (let i = 0; i < rawRows.nRows; i++) assert.equal(got[i], expectedProba[i * k + j], `row ${i} ${c}`);
    });
  });
});
