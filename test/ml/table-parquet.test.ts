/**
 * Tables between steps are Parquet (issue 15): every column type round-trips with its missing
 * values, equal tables give byte-identical files (so a repeated run reuses its versions), readers
 * read only the columns they ask for, and pandas/pyarrow read the files as they are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table, readParquet, readTable, writeParquet, PARQUET_ROW_GROUP } from '../../src/ml/table/index';
import { findPythonTools, pythonToolsSkipReason } from '../support/python-tools';

/** Every column type, with and without missing values, an all-missing column and awkward strings. */
function everyType(): Table {
  return new Table([
    { name: 'dbl', type: 'double', values: Float64Array.from([0.1, -2.5, NaN, 1e300, Infinity, -0]) },
    { name: 'dbl_full', type: 'double', values: Float64Array.from([1, 2, 3, 4, 5, 6.5]) },
    { name: 'lng', type: 'long', values: Float64Array.from([1, NaN, -3, 2 ** 53 - 1, 0, 7]) },
    { name: 'lng_full', type: 'long', values: Float64Array.from([4, 4, 4, 12, -1, 0]) },
    { name: 'str', type: 'string', values: ['a', null, '', 'é ü 日本', 'comma, "quote"', 'a'] },
    { name: 'str_full', type: 'string', values: ['x', 'y', 'x', 'x', 'z', 'y'] },
    { name: 'empty', type: 'double', values: new Float64Array(6).fill(NaN) },
  ]);
}

void test('Parquet: every column type round-trips with its missing values', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlpipe-pq-'));
  try {
    const t = everyType();
    const file = join(dir, 't.parquet');
    await writeParquet(t, file);
    // No NA tokens: the file's nulls alone are missing, so an empty string stays one.
    const back = await readTable(file, { naValues: [] });
    assert.deepEqual(back.schema(), t.schema());
    for (const c of t.columns) {
      const got = back.column(c.name).values;
      assert.deepEqual(
        Array.from(got as ArrayLike<unknown>),
        Array.from(c.values as ArrayLike<unknown>),
        c.name,
      );
    }
    assert.ok(Object.is(back.numeric('dbl')[5], -0), 'negative zero is kept');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('Parquet: equal tables give byte-identical files, over several row groups', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlpipe-pq-'));
  try {
    const n = PARQUET_ROW_GROUP + 1000;
    const values = new Float64Array(n);
    const codes = new Float64Array(n);
    const labels = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      values[i] = i % 97 === 0 ? NaN : Math.sin(i);
      codes[i] = i % 13;
      labels[i] = i % 101 === 0 ? null : `class ${i % 7}`;
    }
    const t = new Table([
      { name: 'x', type: 'double', values },
      { name: 'k', type: 'long', values: codes },
      { name: 'label', type: 'string', values: labels },
    ]);
    await writeParquet(t, join(dir, 'a.parquet'));
    await writeParquet(t, join(dir, 'b.parquet'));
    const [a, b] = await Promise.all([readFile(join(dir, 'a.parquet')), readFile(join(dir, 'b.parquet'))]);
    assert.ok(a.equals(b), 'the same table gives the same bytes');
    const back = await readParquet(join(dir, 'a.parquet'));
    assert.equal(back.nRows, n);
    assert.deepEqual(Array.from(back.numeric('x')), Array.from(values));
    assert.deepEqual(Array.from(back.numeric('k')), Array.from(codes));
    assert.deepEqual(back.strings('label'), labels);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('Parquet: a reader asks for columns and gets only those', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlpipe-pq-'));
  try {
    const file = join(dir, 't.parquet');
    await writeParquet(everyType(), file);
    const some = await readTable(file, { columns: ['str', 'lng'] });
    assert.deepEqual(some.names, ['str', 'lng']);
    await assert.rejects(readTable(file, { columns: ['nope'] }), /t\.parquet: missing column "nope"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const PANDAS_READS = `
import json, sys
import pandas as pd, pyarrow.parquet as pq
schema = pq.read_schema(sys.argv[1])
df = pd.read_parquet(sys.argv[1])
cols = {}
for name in df.columns:
    s = df[name]
    cols[name] = {
        "arrow": str(schema.field(name).type),
        "dtype": str(s.dtype),
        "values": [None if pd.isna(v) else v if isinstance(v, str) else "inf" if v == float("inf") else float(v) for v in s.tolist()],
    }
print(json.dumps(cols))
`;

void test(
  'Parquet: pandas and pyarrow read the artifacts as they are',
  { skip: pythonToolsSkipReason() },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlpipe-pq-'));
    try {
      const t = everyType();
      const file = join(dir, 't.parquet');
      await writeParquet(t, file);
      const r = spawnSync(findPythonTools() as string, ['-c', PANDAS_READS, file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const cols = JSON.parse(r.stdout) as Record<
        string,
        { arrow: string; dtype: string; values: unknown[] }
      >;
      assert.deepEqual(Object.keys(cols), t.names);
      assert.equal(cols.dbl.arrow, 'double');
      assert.equal(cols.lng.arrow, 'int64');
      // A long column whose values all fit in 32 bits is INT32 (no BigInt per value in JavaScript).
      assert.equal(cols.lng_full.dtype, 'int32');
      assert.equal(cols.str.arrow, 'string');
      assert.deepEqual(cols.dbl.values, [0.1, -2.5, null, 1e300, 'inf', -0]);
      assert.deepEqual(cols.lng.values, [1, null, -3, 2 ** 53 - 1, 0, 7]);
      assert.deepEqual(cols.str.values, ['a', null, '', 'é ü 日本', 'comma, "quote"', 'a']);
      assert.deepEqual(cols.str_full.values, ['x', 'y', 'x', 'x', 'z', 'y']);
      assert.deepEqual(cols.empty.values, [null, null, null, null, null, null]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
