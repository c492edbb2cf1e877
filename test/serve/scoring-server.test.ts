/**
 * The scoring server over real HTTP (fastify listening on 127.0.0.1, port 0; requests with fetch), serving
 * a real fitted and exported pipeline. Predictions are checked against the library's own predict on the
 * same rows, so a wrong column order, type or format mapping fails here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FastifyInstance } from 'fastify';
import { formatCsv, type Table } from '../../src/ml/table';
import { type InferencePipeline } from '../../src/ml/pipeline';
import { packageInfo } from '../../src/serve/package-info';
import { sampleTable } from './fixture';
import { startModelServer } from './server-harness';

interface Body {
  predictions?: unknown[];
  error_code?: string;
  message?: string;
}

let app: FastifyInstance;
let base: string;
let pipeline: InferencePipeline;
let rows: Table;
let expected: string[];
let expectedProba: Float64Array;
let columns: string[];
let records: Record<string, unknown>[];

async function post(body: string, contentType = 'application/json', path = '/invocations') {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Body, text };
}

const postJson = (value: unknown, path?: string) => post(JSON.stringify(value), 'application/json', path);

function assertError(
  res: { status: number; body: Body },
  status: number,
  code: string,
  ...mentions: string[]
) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error_code, code);
  assert.equal(typeof res.body.message, 'string');
  for (const m of mentions) assert.match(res.body.message!, new RegExp(m), `message should name ${m}`);
}

before(async () => {
  const started = await startModelServer({ seed: 7 });
  ({ app, base, pipeline } = started);
  rows = sampleTable(60, 99).select([...pipeline.inputSchema.map((c) => c.name), 'genre']);
  const inputs = rows.select(pipeline.inputSchema.map((c) => c.name));
  expected = pipeline.predict(inputs);
  expectedProba = pipeline.predictProba(inputs);
  columns = [...rows.names];
  records = Array.from({ length: rows.nRows }, (_, i) =>
    Object.fromEntries(columns.map((c) => [c, rows.value(i, c)])),
  );
});

after(async () => {
  await app?.close();
});

void describe('POST /invocations input formats', () => {
  void it('dataframe_split gives the library predictions, in row order', async () => {
    const data = records.map((r) => columns.map((c) => r[c]));
    const res = await postJson({ dataframe_split: { columns, data, index: data.map((_, i) => i) } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.predictions, expected);
  });

  void it('dataframe_records, with keys in any order and extra columns ignored', async () => {
    const shuffled = records.map((r) => ({ extra: 'x', ...Object.fromEntries(Object.entries(r).reverse()) }));
    const res = await postJson({ dataframe_records: shuffled });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.predictions, expected);
  });

  void it('instances and inputs as a list of records', async () => {
    for (const key of ['instances', 'inputs']) {
      const res = await postJson({ [key]: records });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.predictions, expected, key);
    }
  });

  void it('instances and inputs as a dict of columns, and one row as a dict of scalars', async () => {
    const dict = Object.fromEntries(columns.map((c) => [c, records.map((r) => r[c])]));
    for (const key of ['instances', 'inputs']) {
      const res = await postJson({ [key]: dict });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.predictions, expected, key);
    }
    const one = await postJson({ inputs: records[3] });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.body.predictions, [expected[3]]);
  });

  void it('CSV as text/csv and application/csv, with a header row and missing values as empty fields', async () => {
    for (const type of ['text/csv', 'application/csv', 'text/csv; charset=utf-8']) {
      const res = await post(formatCsv(rows), type);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.predictions, expected, type);
    }
  });

  void it('accepts application/json with parameters (charset, the old format= hint)', async () => {
    const res = await post(
      JSON.stringify({ dataframe_records: records.slice(0, 2) }),
      'application/json; charset=utf-8',
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.predictions, expected.slice(0, 2));
  });

  void it('reads null as a missing value (the pipeline imputes it)', async () => {
    const withNulls = records
      .slice(0, 3)
      .map((r) => ({ ...r, loudness: null, key: null, text_feature: null }));
    const res = await postJson({ dataframe_records: withNulls });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.predictions!.length, 3);
  });
});

void describe('probabilities', () => {
  function checkProba(predictions: unknown[]) {
    const classes = pipeline.classes;
    assert.equal(predictions.length, expected.length);
    predictions.forEach((p, i) => {
      const { class: cls, probabilities } = p as { class: string; probabilities: Record<string, number> };
      assert.equal(cls, expected[i]);
      assert.deepEqual(Object.keys(probabilities), [...classes]);
      classes.forEach((c, k) => assert.equal(probabilities[c], expectedProba[i * classes.length + k]));
      const sum = Object.values(probabilities).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `row ${i} sums to ${sum}`);
    });
  }

  void it('params.predict_proba: true', async () => {
    const res = await postJson({ dataframe_records: records, params: { predict_proba: true } });
    assert.equal(res.status, 200, res.text);
    checkProba(res.body.predictions!);
  });

  void it('?proba=true, also for CSV', async () => {
    const res = await post(formatCsv(rows), 'text/csv', '/invocations?proba=true');
    assert.equal(res.status, 200, res.text);
    checkProba(res.body.predictions!);
  });

  void it('a bad predict_proba or proba value is INVALID_PARAMETER_VALUE', async () => {
    assertError(
      await postJson({ dataframe_records: records, params: { predict_proba: 'yes' } }),
      400,
      'INVALID_PARAMETER_VALUE',
      'predict_proba',
    );
    assertError(
      await postJson({ dataframe_records: records }, '/invocations?proba=maybe'),
      400,
      'INVALID_PARAMETER_VALUE',
      'proba',
    );
  });
});

void describe('signature enforcement', () => {
  void it('a missing column is a 400 naming it', async () => {
    const res = await postJson({ dataframe_records: records.map(({ loudness: _l, ...r }) => r) });
    assertError(res, 400, 'BAD_REQUEST', 'loudness');
    const split = await postJson({
      dataframe_split: { columns: columns.filter((c) => c !== 'key'), data: [records.slice(0, 1)] },
    });
    assertError(split, 400, 'BAD_REQUEST');
  });

  void it('a missing column in CSV is a 400 naming it', async () => {
    const csv = formatCsv(rows.select(columns.filter((c) => c !== 'tempo')));
    assertError(await post(csv, 'text/csv'), 400, 'BAD_REQUEST', 'tempo');
  });

  void it('a wrong type is a 400 naming the column and the expected type', async () => {
    const bad = [{ ...records[0], danceability: 'high' }];
    assertError(await postJson({ dataframe_records: bad }), 400, 'BAD_REQUEST', 'danceability', 'double');
    const fractionalKey = [{ ...records[0], key: 1.5 }];
    assertError(await postJson({ dataframe_records: fractionalKey }), 400, 'BAD_REQUEST', "'key'", 'long');
    const numericText = [{ ...records[0], text_feature: 12 }];
    assertError(
      await postJson({ dataframe_records: numericText }),
      400,
      'BAD_REQUEST',
      'text_feature',
      'string',
    );
    const csv = formatCsv(rows).replace(/\n([^,\n]*),/, '\nnot-a-number,');
    assertError(
      await post(csv, 'text/csv'),
      400,
      'BAD_REQUEST',
      rows.names[0],
      rows.column(rows.names[0]).type,
    );
  });
});

void describe('protocol errors', () => {
  void it('malformed JSON is a 400 MALFORMED_REQUEST', async () => {
    assertError(await post('{"dataframe_records": [', 'application/json'), 400, 'MALFORMED_REQUEST', 'JSON');
    assertError(await post('', 'application/json'), 400, 'MALFORMED_REQUEST');
  });

  void it('none or several input formats is a 400 naming the accepted ones', async () => {
    assertError(
      await postJson({ rows: records }),
      400,
      'BAD_REQUEST',
      'dataframe_split',
      'dataframe_records',
    );
    assertError(
      await postJson({ dataframe_records: records, instances: records }),
      400,
      'BAD_REQUEST',
      'exactly one',
    );
  });

  void it('an unknown content type is a 415', async () => {
    assertError(await post('a=1', 'application/x-www-form-urlencoded'), 415, 'BAD_REQUEST', 'text/csv');
    assertError(await post('hello', 'text/plain'), 415, 'BAD_REQUEST');
  });

  void it('malformed CSV is a 400', async () => {
    assertError(await post('a,b\n1,2,3\n', 'text/csv'), 400, 'MALFORMED_REQUEST', 'CSV');
    assertError(await post('', 'text/csv'), 400, 'BAD_REQUEST');
  });

  void it('unknown routes answer 404 in the same error shape', async () => {
    const res = await fetch(`${base}/predict`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as Body).error_code, 'ENDPOINT_NOT_FOUND');
  });
});

void describe('GET /ping, /health, /version', () => {
  void it('/ping is 200 with an empty body', async () => {
    const res = await fetch(`${base}/ping`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
  });

  void it('/health is 200 and names the model', async () => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'ok');
  });

  void it('/version gives the package version and the model', async () => {
    const res = await fetch(`${base}/version`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { version: string; model: { requested: string } };
    assert.equal(body.version, packageInfo().version);
    assert.ok(body.model.requested.length > 0);
  });
});

void describe('hostile input never crashes the server', () => {
  const one = () => ({ ...records[0] });
  // Bodies are built lazily: the rows exist only once `before` has run.
  const cases: [string, () => string, string][] = [
    [
      'a number too large for a double',
      () => JSON.stringify({ dataframe_records: [one()] }).replace(/"tempo":[^,]+/, '"tempo":1e400'),
      'tempo',
    ],
    [
      'a nested array in a cell',
      () => JSON.stringify({ dataframe_records: [{ ...one(), energy: [[1, [2]]] }] }),
      'energy',
    ],
    [
      'an object in a cell',
      () => JSON.stringify({ dataframe_records: [{ ...one(), energy: { a: 1 } }] }),
      'energy',
    ],
    ['a null row', () => JSON.stringify({ dataframe_records: [one(), null] }), 'dataframe_records\\[1\\]'],
    ['a null row in inputs', () => JSON.stringify({ inputs: [one(), null] }), 'inputs\\[1\\]'],
    [
      'a split row that is not an array',
      () => JSON.stringify({ dataframe_split: { columns, data: [null] } }),
      'data\\[0\\]',
    ],
    ['a short split row', () => JSON.stringify({ dataframe_split: { columns, data: [[1]] } }), 'columns'],
    [
      'non-string column names',
      () => JSON.stringify({ dataframe_split: { columns: [1, 2], data: [] } }),
      'columns',
    ],
    ['a JSON array body', () => JSON.stringify([one()]), 'body'],
    ['a JSON string body', () => '"dataframe_records"', 'body'],
    ['a JSON null body', () => 'null', 'body'],
    ['no rows', () => JSON.stringify({ dataframe_records: [] }), 'no rows'],
    [
      'columns of different lengths',
      () => JSON.stringify({ inputs: { key: [1, 2], tempo: [1] } }),
      'tempo|key',
    ],
    ['deep nesting', () => `{"inputs": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, ''],
    [
      'params that are not an object',
      () => JSON.stringify({ dataframe_records: [one()], params: [true] }),
      'params',
    ],
  ];
  for (const [name, body, mention] of cases) {
    void it(`${name} → 400`, async () => {
      const res = await post(body());
      assertError(
        res,
        400,
        res.body?.error_code === 'MALFORMED_REQUEST' ? 'MALFORMED_REQUEST' : 'BAD_REQUEST',
      );
      if (mention) assert.match(res.body.message!, new RegExp(mention));
    });
  }

  void it('prototype-pollution keys are plain ignored keys', async () => {
    const body =
      '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}, "dataframe_records": [' +
      JSON.stringify(records[0]).replace(
        /^\{/,
        '{"__proto__": {"danceability": "x", "polluted": 1}, "constructor": 1,',
      ) +
      '], "params": {"__proto__": {"predict_proba": true}}}';
    const res = await post(body);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.predictions, [expected[0]]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const onlyProto = await post('{"__proto__": {"dataframe_records": []}}');
    assertError(onlyProto, 400, 'BAD_REQUEST', 'exactly one');
  });

  void it('a huge string in a text column is scored', async () => {
    const res = await postJson({
      dataframe_records: [{ ...records[0], text_feature: 'word '.repeat(100_000) }],
    });
    assert.equal(res.status, 200, res.text);
  });

  void it('is still healthy afterwards', async () => {
    assert.equal((await fetch(`${base}/ping`)).status, 200);
    const res = await postJson({ dataframe_records: records.slice(0, 1) });
    assert.deepEqual(res.body.predictions, expected.slice(0, 1));
  });
});

void describe('body size limit', () => {
  void it('a body over --max-body is a 413, and the server keeps serving', async () => {
    const small = await startModelServer({ seed: 7, bodyLimit: 16 * 1024, reuse: pipeline });
    try {
      const big = JSON.stringify({ dataframe_records: Array.from({ length: 200 }, () => records[0]) });
      assert.ok(big.length > 16 * 1024);
      const res = await fetch(`${small.base}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: big,
      });
      assert.equal(res.status, 413);
      const body = (await res.json()) as Body;
      assert.equal(body.error_code, 'BAD_REQUEST');
      assert.match(body.message!, /16384 bytes/);
      const ok = await fetch(`${small.base}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dataframe_records: records.slice(0, 2) }),
      });
      assert.equal(ok.status, 200);
    } finally {
      await small.app.close();
    }
  });
});
