/**
 * The sample makes the default run meaningful: the reference pipeline (the real one, from src/ml)
 * learns it clearly, yet stays well below a perfect ROC-AUC. With the full default (8,000 rows, 100
 * trees) `npm run bench -- --data <sample.csv>` measures val ROC-AUC ovo 0.896 (scikit-learn 0.896);
 * this test trains fewer trees to stay quick.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addTextFeature,
  dropDuplicates,
  encodeLabels,
  fitInferencePipeline,
  readTable,
  rocAuc,
  stratifiedSplit,
  type Table,
} from '../../src/ml';
import { writeSampleCsv } from '../../src/sample-data';

let dir = '';
let table: Table;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlpipe-sample-auc-'));
  const csv = join(dir, 'genres.csv');
  await writeSampleCsv(csv, { rows: 8000, seed: 42 });
  const raw = await readTable(csv, { naValues: ['', 'NA', 'NaN'] });
  table = addTextFeature(dropDuplicates(raw), {
    name: 'text_feature',
    columns: ['title', 'song_name'],
    separator: ' ',
  });
});
after(() => rm(dir, { recursive: true, force: true }));

void describe('sample genres through the reference pipeline', () => {
  void it('reads back with the reference types, and preprocess drops its duplicates', () => {
    const types = Object.fromEntries(table.columns.map((c) => [c.name, c.type]));
    for (const c of ['key', 'mode', 'duration_ms', 'time_signature']) assert.equal(types[c], 'long', c);
    for (const c of ['danceability', 'loudness', 'tempo']) assert.equal(types[c], 'double', c);
    for (const c of ['type', 'genre', 'song_name', 'title', 'text_feature'])
      assert.equal(types[c], 'string', c);
    assert.ok(table.nRows < 8000 && table.nRows > 7800, `${table.nRows} rows after dropping duplicates`);
  });

  void it('gives a validation ROC-AUC (ovo) well below 1', async () => {
    const outer = stratifiedSplit(table, { testSize: 0.3, stratify: 'genre', seed: 42 });
    const inner = stratifiedSplit(outer.train, { testSize: 0.3, stratify: 'genre', seed: 42 });
    const pipe = await fitInferencePipeline(inner.train, {
      target: 'genre',
      features: {
        numerical: [
          'danceability',
          'energy',
          'loudness',
          'speechiness',
          'acousticness',
          'instrumentalness',
          'liveness',
          'valence',
          'tempo',
          'duration_ms',
        ],
        categorical: ['time_signature', 'key'],
        nlp: ['text_feature'],
      },
      tfidf: { max_features: 10 },
      random_forest: {
        n_estimators: 40,
        max_depth: 13,
        max_features: 'sqrt',
        class_weight: 'balanced',
        n_jobs: 1,
        random_state: 42,
      },
    });
    const { codes } = encodeLabels(inner.test.strings('genre') as string[], pipe.classes);
    const auc = rocAuc(codes, pipe.predictProba(inner.test), pipe.classes.length, 'ovo');
    assert.ok(auc > 0.84 && auc < 0.94, `val ROC-AUC ovo ${auc}`);
  });
});
