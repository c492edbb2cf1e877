/**
 * The bad-input corpus: malformed and hostile inputs, each with the error a user must see and its retry
 * class, through the real steps (activities on a real filesystem store, fast), the config loader, the
 * store's refs, the model loader and real HTTP to a scoring server. Every case asserts that the step that
 * refused it published nothing and that no alias other than an earlier step's `latest` moved.
 * Fixtures are made here (or are tiny files in test/fixtures/corpus); no shared data is read.
 */
import assert from 'node:assert/strict';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { WORKFLOW_TYPE } from '../../src/contract';
import { startTemporal } from '../support/temporal';
import { createResolveRun } from '../../src/activities/resolve-run';
import { createTrainRandomForest } from '../../src/activities/train-random-forest';
import { loadConfig, type PipelineConfig } from '../../src/config';
import { openStore } from '../../src/store';
import { loadScoringModel } from '../../src/serve';
import { createPipelineWorker, storeOpener } from '../../src/worker';
import { startModelServer, type StartedServer } from '../serve/server-harness';
import { chainMessage, retryClass, runSteps, storeSnapshot, type RetryClass } from './pipeline-harness';

const work = mkdtempSync(join(tmpdir(), 'mlpipe-corpus-'));
const FIXTURES = join(__dirname, '..', 'fixtures', 'corpus');
after(() => rmSync(work, { recursive: true, force: true }));

type Row = (i: number) => string;
const goodRow: Row = (i) =>
  `${((i * 0.37) % 5).toFixed(2)},${i % 7},${['p', 'q', 'r'][i % 3]},${i % 2 ? 'x' : 'y'}`;
function csv(rows = 60, row: Row = goodRow, header = 'a,b,c,label'): string {
  return [header, ...Array.from({ length: rows }, (_, i) => row(i))].join('\n') + '\n';
}

interface DataCase {
  id: string;
  /** File name (its extension picks the reader) and content, or a path to use as is. */
  file?: [string, string | Buffer];
  source?: (dir: string) => string;
  overrides?: string[];
  step: string;
  expect: RegExp;
  retry: RetryClass;
}

const DATA_CASES: DataCase[] = [
  {
    id: 'ragged-csv',
    file: ['data.csv', csv().replace('\n3.', '\n3.,9,9')],
    step: 'get_data',
    expect: /cannot parse CSV: Invalid Record Length: expect 4, got 6 on line \d+/,
    retry: 'non-retryable',
  },
  {
    id: 'duplicate-headers',
    file: ['data.csv', csv(60, goodRow, 'a,b,a,label')],
    step: 'get_data',
    expect: /duplicate column "a" in the header/,
    retry: 'non-retryable',
  },
  {
    id: 'binary-garbage-named-parquet',
    file: ['data.parquet', Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37 + 11) % 256))],
    step: 'get_data',
    expect: /data\.source .*data\.parquet: .*not a readable Parquet file/,
    retry: 'non-retryable',
  },
  {
    id: 'inf-in-a-feature',
    file: ['data.csv', csv(60, (i) => (i === 5 ? `inf,1,p,x` : goodRow(i)))],
    step: 'check_data',
    expect: /finite \[a\]: expected finite numbers, found Infinity at row 6/,
    retry: 'non-retryable',
  },
  {
    id: '1e309-overflows-to-inf',
    file: ['data.csv', csv(60, (i) => (i === 7 ? `-1e309,1,p,x` : goodRow(i)))],
    step: 'check_data',
    expect: /finite \[a\]: expected finite numbers, found -Infinity at row 8/,
    retry: 'non-retryable',
  },
  {
    id: 'unknown-class',
    file: ['data.csv', csv(60, (i) => (i === 9 ? '1,1,p,zebra' : goodRow(i)))],
    overrides: ['check_data.known_classes=[x,y]'],
    step: 'check_data',
    expect: /class_names \[label\]: .*zebra/,
    retry: 'non-retryable',
  },
  {
    id: 'empty-file',
    file: ['data.csv', ''],
    step: 'get_data',
    expect: /empty CSV \(no header line\)/,
    retry: 'non-retryable',
  },
  {
    id: 'header-only',
    file: ['data.csv', 'a,b,c,label\n'],
    step: 'get_data',
    expect: /data\.source .*: the table has no rows/,
    retry: 'non-retryable',
  },
  {
    id: 'parquet-column-type-changes-between-row-groups',
    source: () => join(FIXTURES, 'column-type-changes-between-row-groups.parquet'),
    overrides: ['data.target=label'],
    step: 'get_data',
    expect: /column "x" is INT64 in the file's schema but BYTE_ARRAY in row group 2 \(rows 21–40\)/,
    retry: 'non-retryable',
  },
  {
    id: 'non-utf8-bytes',
    file: ['data.csv', Buffer.concat([Buffer.from(csv(30)), Buffer.from('1.5,3,caf\xe9,x\n', 'latin1')])],
    step: 'get_data',
    expect: /line 32: byte 0xE9 at offset \d+ is not UTF-8; save the file as UTF-8/,
    retry: 'non-retryable',
  },
  {
    id: 'target-all-missing',
    file: ['data.csv', csv(60, (i) => goodRow(i).replace(/,[xy]$/, ','))],
    step: 'check_data',
    expect: /target_missing \[label\]: expected a label in every row .*found 60 missing/,
    retry: 'non-retryable',
  },
  {
    id: 'target-column-absent',
    file: ['data.csv', csv()],
    overrides: ['data.target=genre'],
    step: 'check_data',
    expect:
      /data\.target: column "genre" is not in the table \(columns: a, b, c, label\); set --set data\.target=COLUMN/,
    retry: 'non-retryable',
  },
  {
    id: 'one-class-only',
    file: ['data.csv', csv(60, (i) => goodRow(i).replace(/,[xy]$/, ',x'))],
    step: 'check_data',
    expect: /class_count \[label\]: expected at least 2 classes/,
    retry: 'non-retryable',
  },
  {
    id: 'unterminated-quote',
    file: ['data.csv', csv(10) + '1,2,"never closed,x\n' + csv(10).split('\n').slice(1).join('\n')],
    step: 'get_data',
    expect: /cannot parse CSV: .*Quote Not Closed/i,
    retry: 'non-retryable',
  },
  {
    id: 'unknown-extension',
    file: ['data.xlsx', 'PK\u0003\u0004 not really a workbook'],
    step: 'get_data',
    expect:
      /data\.source .*data\.xlsx: unknown data file type "\.xlsx" \(expected \.csv or \.parquet\); export the table as CSV or Parquet/,
    retry: 'non-retryable',
  },
  {
    id: 'source-does-not-exist',
    source: (dir) => join(dir, 'nowhere', 'missing.csv'),
    step: 'get_data',
    expect: /data\.source .*missing\.csv: no such file \(looked at .*missing\.csv\)/,
    retry: 'non-retryable',
  },
  {
    id: 'source-is-a-directory',
    source: (dir) => {
      mkdirSync(join(dir, 'a-folder.csv'), { recursive: true });
      return join(dir, 'a-folder.csv');
    },
    step: 'get_data',
    expect: /a-folder\.csv is a folder, not a data file; name the CSV or Parquet file inside it/,
    retry: 'non-retryable',
  },
  {
    id: 'too-few-rows',
    file: ['data.csv', csv(8)],
    overrides: ['check_data.min_rows=50'],
    step: 'check_data',
    expect: /min_rows: expected ≥ 50 rows, found 8 rows/,
    retry: 'non-retryable',
  },
];

/** Inputs that are hostile in size or encoding but valid: they must run, not crash or hang. */
const ACCEPTED_CASES: (Omit<DataCase, 'expect' | 'retry' | 'step'> & {
  check: (c: PipelineConfig) => void;
})[] = [
  { id: 'bom-and-crlf', file: ['data.csv', `\ufeff${csv().replace(/\n/g, '\r\n')}`], check: () => undefined },
  {
    id: '1e308-at-the-edge-of-double',
    file: ['data.csv', csv(60, (i) => goodRow(i).replace(/^[^,]+/, i % 2 ? '1e308' : '-1e308'))],
    check: () => undefined,
  },
];

void describe('bad-input corpus: data files through the steps', { timeout: 600_000 }, () => {
  const storeUri = join(work, 'store');

  async function runCase(c: {
    id: string;
    file?: [string, string | Buffer];
    source?: (dir: string) => string;
    overrides?: string[];
  }) {
    const dir = join(work, c.id);
    mkdirSync(dir, { recursive: true });
    let source: string;
    if (c.file) {
      source = join(dir, c.file[0]);
      writeFileSync(source, c.file[1]);
    } else source = (c.source as (d: string) => string)(dir);
    const project = c.id.replace(/[^a-z0-9_]/g, '_');
    const config = loadConfig({
      overrides: [
        `storage.uri=${storeUri}`,
        `data.source=${source}`,
        'data.target=label',
        `main.project_name=${project}`,
        'check_data.min_rows=5',
        'random_forest_pipeline.random_forest.n_estimators=3',
        ...(c.overrides ?? []),
      ],
    });
    const store = await openStore(storeUri, { project });
    return { config, store, dir };
  }

  for (const c of DATA_CASES) {
    void it(`${c.id}: ${c.step} refuses it (${c.retry})`, async () => {
      const { config, store, dir } = await runCase(c);
      const snapshots: Record<string, unknown>[] = [];
      const failure = await runSteps(config, dir, 'train_random_forest', async () => {
        snapshots.push(await storeSnapshot(store));
      });
      assert.ok(failure, 'the input was refused');
      assert.equal(failure.step, c.step, failure.message);
      assert.match(failure.message, c.expect);
      assert.equal(failure.retry, c.retry);
      // The refusing step published nothing and moved nothing.
      assert.deepEqual(
        await storeSnapshot(store),
        snapshots.at(-1),
        'the failing step left the store as it was',
      );
      for (const [name, s] of Object.entries(await storeSnapshot(store))) {
        const aliases = (s as { aliases: Record<string, number> }).aliases;
        assert.deepEqual(
          Object.keys(aliases).filter((a) => a !== 'latest'),
          [],
          `${name}: only latest moved`,
        );
        assert.ok(
          ['raw_data', 'preprocessed_data'].includes(name),
          `${name} was published before a data step refused`,
        );
      }
    });
  }

  for (const c of ACCEPTED_CASES) {
    void it(`${c.id}: runs through training`, async () => {
      const { config, dir } = await runCase(c);
      const failure = await runSteps(config, dir);
      assert.equal(failure, undefined, failure?.message);
    });
  }

  void it('a text column of 10 MB cells is read whole, and get_data publishes it intact', async () => {
    const big = 'word '.repeat(2 * 1024 * 1024); // 10 MB
    const text = csv(60, (i) => (i < 2 ? `1,1,"${big}",${i % 2 ? 'x' : 'y'}` : goodRow(i)));
    const { config, dir, store } = await runCase({ id: 'ten-mb-cells', file: ['data.csv', text] });
    const failure = await runSteps(config, dir, 'preprocess');
    assert.equal(failure, undefined, failure?.message);
    const raw = await store.resolve('raw_data:latest');
    assert.equal(raw.metadata?.rows, 60);
  });

  void it('5,000 columns are read and checked', async () => {
    const n = 5000;
    const header = [...Array.from({ length: n }, (_, j) => `f${j}`), 'label'].join(',');
    const text = csv(
      30,
      (i) => [...Array.from({ length: n }, (_, j) => ((i * 7 + j) % 13) / 4), i % 2 ? 'x' : 'y'].join(','),
      header,
    );
    const { config, dir, store } = await runCase({ id: 'five-thousand-columns', file: ['data.csv', text] });
    const failure = await runSteps(config, dir, 'check_data');
    assert.equal(failure, undefined, failure?.message);
    const raw = await store.resolve('raw_data:latest');
    assert.equal((raw.metadata?.columns as string[]).length, n + 1);
  });
});

void describe('bad-input corpus: config files and overrides', () => {
  const cases: { id: string; file?: string; overrides?: string[]; expect: RegExp }[] = [
    {
      id: 'misspelt-key',
      overrides: ['data.sourse=x.csv'],
      expect: /data\.sourse=x\.csv: no key data\.sourse in the config \(did you mean data\.source\?\)/,
    },
    { id: 'wrong-type', overrides: ['check_data.min_rows=many'], expect: /check_data\.min_rows/ },
    { id: 'no-equals-sign', overrides: ['data.source'], expect: /data\.source/ },
    {
      id: 'bad-criterion',
      overrides: ['random_forest_pipeline.random_forest.criterion=foo'],
      expect: /criterion: must be one of 'gini', 'entropy', 'log_loss'; got "foo"/,
    },
    { id: 'test-size-out-of-range', overrides: ['data.test_size=1.5'], expect: /data\.test_size/ },
    { id: 'unclosed-list', overrides: ['check_data.known_classes=[a,b'], expect: /known_classes/ },
    {
      id: 'bad-duration',
      overrides: ['steps.defaults.start_to_close_timeout=soon'],
      expect: /start_to_close_timeout/,
    },
    { id: 'yaml-syntax-error', file: 'main:\n  project_name: [unclosed\n', expect: /bad\.yaml/ },
    { id: 'yaml-is-a-list', file: '- a\n- b\n', expect: /bad\.yaml/ },
    {
      id: 'yaml-duplicate-key',
      file: 'main:\n  random_seed: 1\n  random_seed: 2\n',
      expect: /bad\.yaml.*(duplicate|unique)|random_seed/is,
    },
    { id: 'yaml-unknown-section', file: 'trainer:\n  epochs: 3\n', expect: /trainer: unknown key/ },
  ];
  for (const c of cases) {
    void it(`${c.id}: resolve_run refuses it with a ConfigError (non-retryable)`, async () => {
      const dir = join(work, `config-${c.id}`);
      mkdirSync(dir, { recursive: true });
      let configPath: string | undefined;
      if (c.file) writeFileSync((configPath = join(dir, 'bad.yaml')), c.file);
      const resolveRun = createResolveRun({
        workDir: dir,
        storeFor: storeOpener(dir),
        codeVersion: { package: 'corpus', version: '0', node: process.version },
        searchAttributes: false,
        configPath,
      });
      const err = await new MockActivityEnvironment().run(resolveRun, { overrides: c.overrides ?? [] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err, 'refused');
      if (process.env.MLPIPE_CORPUS_PRINT) console.log(`[corpus] config ${c.id}: ${chainMessage(err)}`);
      assert.match(chainMessage(err), c.expect);
      assert.equal(retryClass(err), 'non-retryable');
      assert.equal((err as { type?: string }).type, 'ConfigError');
      assert.deepEqual(await storeSnapshot(await openStore(join(dir, 'store'))), {}, 'nothing published');
    });
  }
});

void describe('bad-input corpus: refs', () => {
  const refs: [string, RegExp][] = [
    ['data_train:v999', /data_train:v999.*not found|no version 999/i],
    ['data_train:', /data_train:/],
    ['data train:latest', /data train/],
    ['data_train:nosuchalias', /nosuchalias/],
  ];
  for (const [ref, expect] of refs) {
    void it(`train on ${JSON.stringify(ref)}: refused, non-retryable, nothing published`, async () => {
      const dir = join(work, `ref-${ref.replace(/[^a-z0-9]/gi, '_')}`);
      const config = loadConfig({ overrides: [`storage.uri=${join(dir, 'store')}`] });
      const train = createTrainRandomForest({
        workDir: dir,
        storeFor: storeOpener(dir),
        codeVersion: { package: 'corpus', version: '0', node: process.version },
        searchAttributes: false,
      });
      const err = await new MockActivityEnvironment().run(train, { config, inputs: { train: ref } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err, 'refused');
      if (process.env.MLPIPE_CORPUS_PRINT) console.log(`[corpus] ref ${ref}: ${chainMessage(err)}`);
      assert.match(chainMessage(err), expect);
      assert.equal(retryClass(err), 'non-retryable');
      assert.deepEqual(await storeSnapshot(await openStore(join(dir, 'store'))), {});
    });
  }
});

void describe('bad-input corpus: model directories and scoring requests', { timeout: 120_000 }, () => {
  let server: StartedServer;
  before(async () => {
    server = await startModelServer({ seed: 3, bodyLimit: 64 * 1024 });
  });
  after(async () => {
    await server?.app.close();
  });

  const modelCases: { id: string; make: (dir: string, good: string) => void; expect: RegExp }[] = [
    { id: 'empty-directory', make: () => undefined, expect: /MLmodel: cannot read MLmodel: ENOENT/ },
    {
      id: 'MLmodel-is-not-yaml',
      make: (dir, good) => {
        copyDir(good, dir);
        writeFileSync(join(dir, 'MLmodel'), 'flavors: [unclosed\n');
      },
      expect: /MLmodel: cannot read MLmodel: .*line 2, column 1/,
    },
    {
      id: 'model-file-is-garbage',
      make: (dir, good) => {
        copyDir(good, dir);
        const file = modelFile(dir);
        writeFileSync(file, Buffer.from('not a model at all'));
      },
      expect: /model\.mlpm: digest [0-9a-f]{64} does not match MLmodel's model_digest/,
    },
    {
      id: 'model-file-truncated',
      make: (dir, good) => {
        copyDir(good, dir);
        const file = modelFile(dir);
        const bytes = readFileSync(file);
        writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      },
      expect: /model\.mlpm: digest [0-9a-f]{64} does not match MLmodel's model_digest/,
    },
  ];
  for (const c of modelCases) {
    void it(`model directory ${c.id}: a clear error naming the file`, async () => {
      const dir = join(work, `model-${c.id}`);
      mkdirSync(dir, { recursive: true });
      c.make(dir, server.modelDir);
      await assert.rejects(loadScoringModel(dir), (err: Error) => {
        if (process.env.MLPIPE_CORPUS_PRINT) console.log(`[corpus] model ${c.id}: ${chainMessage(err)}`);
        assert.match(chainMessage(err), c.expect);
        assert.doesNotMatch(err.message, /Cannot read properties|undefined is not/);
        return true;
      });
    });
  }

  const requests: {
    id: string;
    body: string | (() => string);
    type?: string;
    status: number;
    code: RegExp;
  }[] = [
    { id: 'not-json', body: '{"dataframe_split": ', status: 400, code: /BAD_REQUEST|MALFORMED_REQUEST/ },
    { id: 'json-array', body: '[1,2,3]', status: 400, code: /BAD_REQUEST|MALFORMED_REQUEST/ },
    { id: 'no-known-format-key', body: '{"rows": []}', status: 400, code: /BAD_REQUEST|MALFORMED_REQUEST/ },
    {
      id: 'ragged-dataframe-split',
      body: JSON.stringify({
        dataframe_split: { columns: ['danceability', 'energy'], data: [[0.1], [0.2, 0.3, 0.4]] },
      }),
      status: 400,
      code: /BAD_REQUEST|MALFORMED_REQUEST|INVALID_PARAMETER_VALUE/,
    },
    {
      id: 'wrong-content-type',
      body: 'a,b\n1,2\n',
      type: 'application/xml',
      status: 415,
      code: /BAD_REQUEST|MALFORMED_REQUEST/,
    },
    {
      id: 'body-over-the-limit',
      body: `{"instances": [${'1,'.repeat(70 * 1024)}1]}`,
      status: 413,
      code: /BAD_REQUEST/,
    },
    {
      id: 'nan-and-huge-numbers',
      // A valid row whose first number is 1e999 (Infinity once parsed) and another's is NaN-like text.
      body: () => {
        const ex = readFileSync(join(server.modelDir, 'serving_input_example.json'), 'utf8');
        return ex.replace(/(\[\[)[^,\]]+/, '$11e999').replace(/\],\s*\[[^,\]]+/, '], ["NaN"');
      },
      status: 400,
      code: /BAD_REQUEST|MALFORMED_REQUEST|INVALID_PARAMETER_VALUE/,
    },
  ];
  for (const r of requests) {
    void it(`POST /invocations ${r.id}: ${r.status} with MLflow's error shape`, async () => {
      const res = await fetch(`${server.base}/invocations`, {
        method: 'POST',
        headers: { 'content-type': r.type ?? 'application/json' },
        body: typeof r.body === 'function' ? r.body() : r.body,
      });
      const body = (await res.json()) as { error_code?: string; message?: string };
      if (process.env.MLPIPE_CORPUS_PRINT)
        console.log(`[corpus] http ${r.id}: ${res.status} ${JSON.stringify(body)}`);
      assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}: ${JSON.stringify(body)}`);
      if (r.status !== 400) assert.equal(res.status, r.status, JSON.stringify(body));
      assert.match(String(body.error_code), r.code);
      assert.equal(typeof body.message, 'string');
      assert.ok((body.message as string).length > 0);
    });
  }
});

function copyDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

function modelFile(dir: string): string {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(dir);
  // The largest file is the forest itself.
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

void describe('bad-input corpus: a few cases through a real workflow', { timeout: 300_000 }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const dir = join(work, 'workflow');
  const storeUri = join(dir, 'store');

  before(async () => {
    mkdirSync(dir, { recursive: true });
    env = await startTemporal();
    ({ worker } = await createPipelineWorker({
      address: env.address,
      namespace: 'default',
      taskQueue: 'corpus',
      workDir: join(dir, 'work'),
    }));
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  const cases: { id: string; file?: [string, string | Buffer]; overrides?: string[]; expect: RegExp }[] = [
    {
      id: 'wf-ragged',
      file: ['ragged.csv', csv().replace('\n3.', '\n3.,9,9')],
      expect: /step get_data failed: .*cannot parse CSV: Invalid Record Length/s,
    },
    {
      id: 'wf-latin1',
      file: ['latin1.csv', Buffer.concat([Buffer.from(csv(30)), Buffer.from('1.5,3,caf\xe9,x\n', 'latin1')])],
      expect: /step get_data failed: .*line 32: byte 0xE9 .* is not UTF-8/s,
    },
    {
      id: 'wf-bad-override',
      overrides: ['data.test_sise=0.3'],
      expect: /data\.test_sise.*did you mean data\.test_size/s,
    },
  ];
  for (const c of cases) {
    void it(`${c.id}: the run fails at once with the message, and nothing moves`, async () => {
      const source = c.file ? join(dir, c.file[0]) : join(dir, 'unused.csv');
      if (c.file) writeFileSync(source, c.file[1]);
      const store = await openStore(storeUri, { project: c.id.replace(/-/g, '_') });
      const before = await storeSnapshot(store);
      const err = await env.client.workflow
        .execute(WORKFLOW_TYPE, {
          taskQueue: 'corpus',
          workflowId: `corpus-${c.id}`,
          args: [
            {
              overrides: [
                `storage.uri=${storeUri}`,
                `data.source=${source}`,
                'data.target=label',
                `main.project_name=${c.id.replace(/-/g, '_')}`,
                ...(c.overrides ?? []),
              ],
            },
          ],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.match(chainMessage(err), c.expect);
      // The failed run's own record (run_report) is its lineage, written on failure by design; nothing else.
      const { run_report: record, ...afterRun } = await storeSnapshot(store);
      assert.deepEqual(afterRun, before, 'nothing published, no alias moved');
      if (c.file) assert.ok(record, 'the failed run left its lineage record');
      // Refused once: no retry of a data or config error.
      const history = await env.client.workflow.getHandle(`corpus-${c.id}`).fetchHistory();
      const retried = (history.events ?? []).some(
        (e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
      );
      assert.equal(retried, false, 'the failing activity ran once');
    });
  }
});
