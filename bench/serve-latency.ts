/**
 * Scoring-server benchmark: one row per request against a model trained like the reference (the
 * config's random_forest_pipeline: 100 trees, depth 13, class_weight balanced, tfidf 10), exported in
 * the MLflow layout and served by createScoringServer exactly as `mlpipe serve` does. The load comes
 * from a SECOND process (this file with --load) running autocannon over keep-alive connections on
 * loopback, so the client never shares the server's event loop.
 *
 *   npm run bench:serve -- [--data PATH] [--duration S] [--connections 1,4,16] [--json]
 *
 * Data: ../shared/data/genres_mod.parquet when present, else the bundled synthetic sample. Requests
 * cycle through 500 held-out rows, each sent as a one-row dataframe_split body.
 * Targets (issue 5): p50 ≤ 2 ms and ≥ 2,000 requests/s.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { exampleConfigPath, loadConfig, type PipelineConfig } from '../src/config';
import { exportModel } from '../src/ml/model-export';
import { fitInferencePipeline } from '../src/ml/pipeline';
import {
  addTextFeature,
  dropDuplicates,
  readTable,
  selectRows,
  stratifiedSplit,
  tableFromRecords,
  type Table,
} from '../src/ml/table';
import { generateSampleGenres } from '../src/sample-data';
import { createScoringServer } from '../src/serve';

const REFERENCE_DATA = resolve(__dirname, '..', '..', 'shared', 'data', 'genres_mod.parquet');
const REQUEST_ROWS = 500;
const TARGET_P50_MS = 2;
const TARGET_RPS = 2000;

interface LoadResult {
  connections: number;
  durationS: number;
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  autocannonP50: number;
  non2xx: number;
  errors: number;
}

// ---------------------------------------------------------------------------------------------------
// Load generator (second process)

async function runLoad(url: string, bodiesFile: string, durationS: number, connections: number) {
  const bodies = JSON.parse(await readFile(bodiesFile, 'utf8')) as string[];
  let next = 0;
  const request: autocannon.Request = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    setupRequest: (req: autocannon.Request) => ({ ...req, body: bodies[next++ % bodies.length] }),
  };
  const run = (duration: number, record: number[] | undefined) =>
    new Promise<autocannon.Result>((done, fail) => {
      const instance = autocannon(
        { url, connections, duration, pipelining: 1, requests: [request] },
        (err, result) => (err ? fail(err) : done(result)),
      );
      if (record) {
        instance.on('response', (_client, statusCode, _bytes, responseTime) => {
          if (statusCode === 200) record.push(responseTime);
        });
      }
    });
  await run(2, undefined); // warm-up: JIT, connection setup; not measured
  const latencies: number[] = [];
  const result = await run(durationS, latencies);
  const sorted = Float64Array.from(latencies).sort();
  const q = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
  const out: LoadResult = {
    connections,
    durationS: result.duration,
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    autocannonP50: result.latency.p50,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

// ---------------------------------------------------------------------------------------------------
// Benchmark driver (serves the model, spawns the load generator)

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

async function loadData(
  path: string | undefined,
  config: PipelineConfig,
): Promise<{ table: Table; source: string }> {
  const pre = config.preprocess.text_feature;
  if (!pre) throw new Error('the genres example config names a text feature');
  let table: Table;
  let source: string;
  if (path ?? existsSync(REFERENCE_DATA)) {
    source = path ?? REFERENCE_DATA;
    table = await readTable(source, { naValues: config.data.na_values });
  } else {
    source = 'synthetic sample (20,000 rows, seed 42)';
    table = tableFromRecords(generateSampleGenres({ rows: 20_000, seed: 42 }));
  }
  table = addTextFeature(dropDuplicates(table), {
    name: pre.name,
    columns: pre.columns,
    separator: pre.separator,
  });
  return { table, source };
}

function spawnLoad(
  url: string,
  bodiesFile: string,
  durationS: number,
  connections: number,
): Promise<LoadResult> {
  const execArgv = __filename.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const args = [...execArgv, __filename, '--load', url, bodiesFile, String(durationS), String(connections)];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => {
      const last = stdout.trim().split('\n').pop();
      if (code !== 0 || !last) fail(new Error(`load generator exited with ${code}`));
      else done(JSON.parse(last) as LoadResult);
    });
  });
}

function fmt(ms: number): string {
  return ms.toFixed(3);
}

async function main() {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '1,4,16' },
      json: { type: 'boolean', default: false },
    },
  });
  const durationS = Number(values.duration);
  const connections = values.connections.split(',').map(Number);
  if (!(durationS > 0) || connections.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new Error('--duration must be > 0 seconds and --connections a list of integers ≥ 1');
  }
  const config = loadConfig({ path: exampleConfigPath('genres') });
  const rfp = config.random_forest_pipeline;
  const target = config.data.target ?? 'genre';
  const spec = {
    target,
    features: {
      numerical: rfp.features?.numerical ?? [],
      categorical: rfp.features?.categorical ?? [],
      nlp: rfp.features?.nlp ?? [],
    },
    tfidf: rfp.tfidf,
    random_forest: {
      ...withoutShards(rfp.random_forest),
      random_state: rfp.random_forest.random_state ?? config.main.random_seed,
    },
  };

  const { table, source } = await loadData(values.data, config);
  const { train, test } = stratifiedSplit(table, {
    testSize: config.data.test_size,
    stratify: target,
    seed: config.main.random_seed,
  });
  log(`data: ${source}: ${table.nRows} rows after dropping duplicates; training on ${train.nRows}`);
  const t0 = performance.now();
  const pipeline = await fitInferencePipeline(train, spec);
  log(
    `fitted ${String(rfp.random_forest.n_estimators)} trees, max_depth ${String(rfp.random_forest.max_depth)} in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const work = await mkdtemp(join(tmpdir(), 'mlpipe-bench-serve-'));
  try {
    const modelDir = join(work, 'model_export');
    const exported = await exportModel(pipeline, modelDir, { inputExample: selectRows(test, [0, 1, 2]) });
    const app = await createScoringServer({ model: modelDir, cacheDir: join(work, 'cache') });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const columns = pipeline.inputSchema.map((c) => c.name);
      const n = Math.min(REQUEST_ROWS, test.nRows);
      const bodies = Array.from({ length: n }, (_, i) =>
        JSON.stringify({ dataframe_split: { columns, data: [columns.map((c) => test.value(i, c))] } }),
      );
      const bodiesFile = join(work, 'bodies.json');
      await writeFile(bodiesFile, JSON.stringify(bodies));

      // The server must answer what the library predicts before its speed means anything.
      const check = await fetch(`${base}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[0],
      });
      const got = ((await check.json()) as { predictions: string[] }).predictions;
      const want = pipeline.predict(selectRows(test, [0]).select(columns));
      if (check.status !== 200 || got[0] !== want[0])
        throw new Error(`sanity check failed: ${check.status} ${JSON.stringify(got)}`);

      // In-process cost of one row through the pipeline, for context.
      const one = selectRows(test, [0]).select(columns);
      for (let i = 0; i < 2000; i++) pipeline.predictProba(one);
      const tp = performance.now();
      for (let i = 0; i < 5000; i++) pipeline.predictProba(one);
      const pipelineMs = (performance.now() - tp) / 5000;

      log(`model: ${exported.modelSize} bytes; one row in-process: ${fmt(pipelineMs)} ms; server ${base}`);
      const results: LoadResult[] = [];
      for (const c of connections) {
        log(`load: ${c} keep-alive connection(s), ${durationS} s (+2 s warm-up) from a second process…`);
        results.push(await spawnLoad(`${base}/invocations`, bodiesFile, durationS, c));
      }

      const meets = (r: LoadResult) =>
        r.p50 <= TARGET_P50_MS && r.rps >= TARGET_RPS && r.non2xx === 0 && r.errors === 0;
      const summary = {
        data: source,
        train_rows: train.nRows,
        model_bytes: exported.modelSize,
        pipeline_one_row_ms: pipelineMs,
        node: process.version,
        results,
        targets: { p50_ms: TARGET_P50_MS, rps: TARGET_RPS },
        met_at_connections: results.filter(meets).map((r) => r.connections),
      };
      if (values.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else {
        const header = [
          'connections',
          'req/s',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'max ms',
          'non-2xx',
          'errors',
          'targets',
        ];
        const lines = results.map((r) => [
          String(r.connections),
          r.rps.toFixed(0),
          fmt(r.p50),
          fmt(r.p90),
          fmt(r.p99),
          fmt(r.max),
          String(r.non2xx),
          String(r.errors),
          meets(r) ? 'met' : 'missed',
        ]);
        const widths = header.map((h, j) => Math.max(h.length, ...lines.map((l) => l[j].length)));
        const row = (cells: string[]) => cells.map((c, j) => c.padStart(widths[j])).join('  ');
        console.log(
          `\nPOST /invocations, one row per request (targets: p50 ≤ ${TARGET_P50_MS} ms, ≥ ${TARGET_RPS} req/s)`,
        );
        console.log(row(header));
        for (const l of lines) console.log(row(l));
      }
    } finally {
      await app.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--load') {
  runLoad(argv[1], argv[2], Number(argv[3]), Number(argv[4])).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(`bench:serve: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

/** `shards` spreads a pipeline's fit over workers; this bench fits in-process. */
function withoutShards(forest: Record<string, unknown>): Record<string, unknown> {
  const { shards: _shards, ...rest } = forest;
  return rest;
}
