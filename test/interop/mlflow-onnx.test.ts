/**
 * The export outside this project, with MLflow's own code only (the venv of .ci/install-python-tools.sh):
 * `mlflow.pyfunc.load_model(dir).predict(df)` agrees with `mlpipe predict` on the same rows (labels
 * identical, probabilities within 1e-6), and `mlflow models serve -m dir --env-manager local`
 * answers /invocations with the same predictions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config';
import { exampleConfigPath } from '../../src/config/project-root';
import { datasetTarget, featurePlan, modelSpec, stratifyColumn } from '../../src/activities/dataset';
import { splitTable } from '../../src/activities/model-metrics';
import { exportModel, fitInferencePipeline, formatCsv, parseCsv, selectRows } from '../../src/ml/index';
import { sampleGenresCsv } from '../../src/sample-data/index';
import { findPythonTools, pythonToolsSkipReason } from '../support/python-tools';

const REPO = join(__dirname, '../..');
const SERVE_PORT = 5347;

async function waitForPing(url: string, server: ChildProcess, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (server.exitCode !== null) throw new Error(`mlflow models serve exited with ${server.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

void test(
  'MLflow loads the export (pyfunc, models serve) and predicts as mlpipe predict',
  { skip: pythonToolsSkipReason() },
  async () => {
    const python = findPythonTools() as string;
    const work = await mkdtemp(join(tmpdir(), 'mlpipe-mlflow-onnx-'));
    let server: ChildProcess | undefined;
    try {
      // The bundled sample with the reference config: numbers, integer categories, a joined text feature.
      const config = loadConfig({
        path: exampleConfigPath('genres'),
        overrides: ['random_forest_pipeline.random_forest.n_estimators=30'],
      });
      const table = parseCsv(sampleGenresCsv({ rows: 1500, seed: 7 }));
      const target = datasetTarget(config, table);
      const { train, test: rows } = splitTable(table, 0.2, stratifyColumn(config, target), 3);
      const p = await fitInferencePipeline(train, modelSpec(config, featurePlan(config, train, target)));
      const dir = join(work, 'model_export');
      await exportModel(p, dir, { inputExample: selectRows(train, [0, 1, 2, 3, 4]) });
      // Integer columns hold no missing value in MLflow's long type: score rows that have none.
      const longs = p.inputSchema.filter((c) => c.type === 'long').map((c) => rows.numeric(c.name));
      const keep = Uint32Array.from({ length: rows.nRows }, (_, i) => i).filter((i) =>
        longs.every((v) => v[i] === v[i]),
      );
      const input = selectRows(rows, keep).select(p.inputSchema.map((c) => c.name));
      const inputCsv = join(work, 'rows.csv');
      await writeFile(inputCsv, formatCsv(input));

      const predictCsv = join(work, 'predicted.csv');
      const cli = spawnSync(
        process.execPath,
        [join(REPO, 'bin/mlpipe'), 'predict', '--model', dir, '--input', inputCsv, '--output', predictCsv],
        {
          cwd: REPO,
          encoding: 'utf8',
        },
      );
      assert.equal(cli.status, 0, cli.stderr);

      const check = spawnSync(
        python,
        [join(__dirname, '../support/mlflow_onnx_check.py'), dir, inputCsv, predictCsv],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(check.status, 0, check.stderr);
      const res = JSON.parse(check.stdout.trim().split('\n').pop() as string) as {
        rows: number;
        label_mismatches: number;
        max_proba_diff: number;
        columns: string[];
      };
      console.log(`mlflow.pyfunc vs mlpipe predict: ${JSON.stringify(res)}`);
      assert.equal(res.rows, input.nRows);
      assert.ok(res.rows > 100);
      assert.equal(res.label_mismatches, 0);
      assert.ok(res.max_proba_diff <= 1e-6, `probabilities differ by ${res.max_proba_diff}`);
      assert.deepEqual(res.columns, ['prediction', ...p.classes.map((c) => `proba_${c}`)]);

      // mlflow models serve, with the venv's executables (uvicorn) on PATH.
      const bin = dirname(python);
      server = spawn(
        bin + '/mlflow',
        ['models', 'serve', '-m', dir, '--env-manager', 'local', '-h', '127.0.0.1', '-p', String(SERVE_PORT)],
        {
          env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
          stdio: 'ignore',
          detached: true,
        },
      );
      await waitForPing(`http://127.0.0.1:${SERVE_PORT}/ping`, server, 90_000);
      const first = selectRows(
        input,
        Uint32Array.from({ length: 40 }, (_, i) => i),
      );
      const body = {
        dataframe_split: {
          columns: first.names,
          data: Array.from({ length: first.nRows }, (_, i) =>
            first.names.map((n) => {
              const v = first.column(n).values[i];
              return typeof v === 'number' && Number.isNaN(v) ? null : v;
            }),
          ),
        },
      };
      const resp = await fetch(`http://127.0.0.1:${SERVE_PORT}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await resp.text();
      assert.equal(resp.status, 200, text);
      const served = (JSON.parse(text) as { predictions: Record<string, string | number>[] }).predictions;
      const expected = parseCsv(await readFile(predictCsv));
      assert.equal(served.length, first.nRows);
      const want = expected.column('prediction').values;
      served.forEach((row, i) => {
        assert.equal(String(row.prediction), String(want[i]), `row ${i + 1}`);
        for (const c of p.classes) {
          const d = Math.abs((row[`proba_${c}`] as number) - expected.numeric(`proba_${c}`)[i]);
          assert.ok(d <= 1e-6, `row ${i + 1} proba_${c} differs by ${d}`);
        }
      });
    } finally {
      if (server?.pid !== undefined && server.exitCode === null) {
        process.kill(-server.pid, 'SIGTERM');
        await new Promise((r) => server?.once('exit', r));
      }
      await rm(work, { recursive: true, force: true });
    }
  },
);
