/**
 * `mlpipe predict` through commander, resolving `--model model_export:prod` in a real filesystem store:
 * the output CSV holds the library's predictions and per-class probabilities; bad input names the file
 * and the column. Parquet input is checked on the reference data when it is present beside the project.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { DEFAULT_PROJECT, pipelineConfigSchema } from '../../src/config';
import { registerPredictCommand } from '../../src/cli/commands/predict';
import { fitInferencePipeline, type InferencePipeline } from '../../src/ml/pipeline';
import { formatCsv, readTable, type Table } from '../../src/ml/table';
import { openStore, type ArtifactStore } from '../../src/store';
import { CATEGORICAL, NUMERICAL, fitSmallPipeline, sampleTable } from './fixture';
import { exportPipeline } from './server-harness';

const REFERENCE_PARQUET = '/work/shared/data/genres_mod.parquet';

let work: string;
let store: ArtifactStore;
let pipeline: InferencePipeline;
let rows: Table;

async function publish(dir: string, name: string) {
  const files = (await readdir(dir)).map((f) => ({ path: f, source: join(dir, f) }));
  await store.publish({ name, type: 'model', files, aliases: ['prod'] });
}

function predict(...args: string[]): Promise<unknown> {
  const program = new Command('mlpipe').exitOverride();
  const config = pipelineConfigSchema.parse({});
  registerPredictCommand(program, { getStore: () => store, getConfig: () => config });
  return program.parseAsync(['predict', ...args], { from: 'user' });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlpipe-predict-'));
  store = openStore(join(work, 'store'), { project: DEFAULT_PROJECT });
  pipeline = await fitSmallPipeline(5);
  await publish(await exportPipeline(pipeline, work), 'model_export');
  rows = sampleTable(120, 17);
  await writeFile(join(work, 'rows.csv'), formatCsv(rows));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

void describe('mlpipe predict', () => {
  void it('writes the predicted class and one probability column per class', async () => {
    const out = join(work, 'out.csv');
    await predict('--model', 'model_export:prod', '--input', join(work, 'rows.csv'), '--output', out);
    const result = await readTable(out);
    assert.deepEqual(result.names, ['prediction', ...pipeline.classes.map((c) => `proba_${c}`)]);
    assert.equal(result.nRows, rows.nRows);
    assert.deepEqual(result.strings('prediction'), pipeline.predict(rows));
    const proba = pipeline.predictProba(rows);
    const k = pipeline.classes.length;
    for (let i = 0; i < rows.nRows; i++) {
      let sum = 0;
      pipeline.classes.forEach((c, j) => {
        const v = result.numeric(`proba_${c}`)[i];
        assert.equal(v, proba[i * k + j]);
        sum += v;
      });
      assert.ok(Math.abs(sum - 1) < 1e-9);
    }
  });

  void it('bin/mlpipe writes CSV to standard output without --output', () => {
    // The real CLI entry point in a child process: config loading, store from --store, stdout.
    const res = spawnSync(
      process.execPath,
      [
        join(__dirname, '..', '..', 'bin', 'mlpipe'),
        'predict',
        '--store',
        join(work, 'store'),
        '--model',
        'model_export:prod',
        '--input',
        join(work, 'rows.csv'),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(res.status, 0, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    assert.equal(lines.length, rows.nRows + 1);
    assert.ok(lines[0].startsWith('prediction,proba_'));
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(',')[0]),
      pipeline.predict(rows),
    );
  });

  void it('names the file and the column when a column is missing or a value is bad', async () => {
    const missing = join(work, 'missing.csv');
    await writeFile(missing, formatCsv(rows.select(rows.names.filter((n) => n !== 'tempo'))));
    await assert.rejects(predict('--model', 'model_export:prod', '--input', missing), (err: Error) => {
      assert.match(err.message, /missing\.csv/);
      assert.match(err.message, /tempo/);
      return true;
    });
    const bad = join(work, 'bad.csv');
    const csv = formatCsv(rows.select(['energy', ...rows.names.filter((n) => n !== 'energy')]));
    await writeFile(bad, csv.replace(/\n[^,\n]*,/, '\nloud,'));
    await assert.rejects(predict('--model', 'model_export:prod', '--input', bad), (err: Error) => {
      assert.match(err.message, /bad\.csv/);
      assert.match(err.message, /energy/);
      return true;
    });
    await assert.rejects(
      predict(
        '--model',
        'model_export:prod',
        '--input',
        join(work, 'rows.csv'),
        '--output',
        join(work, 'nope', 'x.csv'),
      ),
      /nope/,
    );
    assert.equal(existsSync(join(work, 'nope')), false);
  });

  void it('an unknown model ref names the ref', async () => {
    await assert.rejects(
      predict('--model', 'model_export:v99', '--input', join(work, 'rows.csv')),
      /model_export:v99/,
    );
  });

  void it(
    'scores a Parquet file (the reference data)',
    { skip: !existsSync(REFERENCE_PARQUET) && `${REFERENCE_PARQUET} is absent` },
    async () => {
      // The reference file has no text_feature column, so this model uses the numeric and categorical tracks only.
      const spec = {
        target: 'genre',
        features: { numerical: NUMERICAL, categorical: CATEGORICAL, nlp: [] },
        tfidf: { max_features: null },
        random_forest: { n_estimators: 8, max_depth: 6, random_state: 1, n_jobs: 1 },
      };
      const numericOnly = await fitInferencePipeline(sampleTable(400, 8), spec);
      await publish(await exportPipeline(numericOnly, work, 'numeric_only'), 'numeric_only');
      const out = join(work, 'reference.csv');
      await predict('--model', 'numeric_only:prod', '--input', REFERENCE_PARQUET, '--output', out);
      const reference = await readTable(REFERENCE_PARQUET);
      const text = await readFile(out, 'utf8');
      assert.equal(text.trimEnd().split('\n').length, reference.nRows + 1);
    },
  );
});

void describe('mlpipe predict --at', () => {
  void it('scores with the model prod named at that instant, not the current one', async () => {
    const before = new Date();
    await new Promise((r) => setTimeout(r, 15));
    const next = await fitSmallPipeline(11, 4);
    await publish(await exportPipeline(next, join(work, 'next')), 'model_export');
    assert.notDeepEqual(next.predictProba(rows), pipeline.predictProba(rows), 'the two models differ');
    const out = join(work, 'at.csv');
    await predict(
      '--model',
      'model_export:prod',
      '--at',
      before.toISOString(),
      '--input',
      join(work, 'rows.csv'),
      '--output',
      out,
    );
    const scored = await readTable(out);
    assert.deepEqual(scored.strings('prediction'), pipeline.predict(rows));
    const k = pipeline.classes.length;
    const proba = pipeline.predictProba(rows);
    const first = `proba_${pipeline.classes[0]}`;
    assert.deepEqual(
      [...scored.numeric(first)],
      Array.from({ length: rows.nRows }, (_, i) => proba[i * k]),
    );
    await assert.rejects(
      predict('--model', 'model_export:prod', '--at', '2000-01-01', '--input', join(work, 'rows.csv')),
      /model_export:prod was first set at \S+ \(to v0\); 2000-01-01T00:00:00\.000Z is before that/,
    );
  });
});
