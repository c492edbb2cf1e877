import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addTextFeature,
  concatTables,
  dropDuplicates,
  parseCsv,
  readTable,
  selectRows,
  stratifiedSplit,
  tableFromRecords,
  tableFromSplit,
  tableToSplit,
  uniqueRowIndices,
  writeCsv,
  Table,
} from '../../src/ml/index';

const REFERENCE_PARQUET = '/work/shared/data/genres_mod.parquet';

void test('CSV: types are inferred, missing values and NA tokens become NaN / null', () => {
  const t = parseCsv('a,b,c,d\n1,2.5,x,\n2,NA,null,\n,3,"y, z",\n', { source: 'mini.csv' });
  assert.deepEqual(t.schema(), [
    { name: 'a', type: 'long' },
    { name: 'b', type: 'double' },
    { name: 'c', type: 'string' },
    { name: 'd', type: 'double' },
  ]);
  assert.deepEqual(Array.from(t.numeric('a')), [1, 2, NaN]);
  assert.deepEqual(Array.from(t.numeric('b')), [2.5, NaN, 3]);
  assert.deepEqual(t.strings('c'), ['x', null, 'y, z']);
  assert.ok(t.numeric('d').every(Number.isNaN));
});

void test('CSV: declared numeric column with a non-number names file, column and row', () => {
  assert.throws(
    () => parseCsv('loudness,x\n-5.5,1\nabc,2\n', { source: 'genres.csv', types: { loudness: 'double' } }),
    { message: 'genres.csv: column "loudness" row 2: "abc" is not a number' },
  );
  assert.throws(
    () => parseCsv('k\n1.5\n', { source: 'f.csv', types: { k: 'long' } }),
    /column "k" row 1: "1.5" is not an integer/,
  );
  // Overriding a numeric-looking column to string keeps the text.
  assert.deepEqual(parseCsv('k\n007\n', { types: { k: 'string' } }).strings('k'), ['007']);
  // Custom NA tokens.
  assert.ok(Number.isNaN(parseCsv('v\n-\n1\n', { naValues: ['-'] }).numeric('v')[0]));
});

void test('CSV write/read round trip keeps values, types and missing values', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mltable-'));
  try {
    const t = tableFromRecords([
      { n: 1.25, k: 3, s: 'a "quoted", text' },
      { n: null, k: 4, s: null },
      { n: 0.1 + 0.2, k: -7, s: ' lead' },
    ]);
    const p = join(dir, 'out.csv');
    await writeCsv(t, p);
    const back = await readTable(p);
    assert.deepEqual(back.schema(), t.schema());
    assert.deepEqual(Array.from(back.numeric('n')), Array.from(t.numeric('n')));
    assert.deepEqual(back.strings('s'), t.strings('s'));
    assert.match(await readFile(p, 'utf8'), /^n,k,s\n/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('unknown file type and unparseable CSV are clear errors', async () => {
  await assert.rejects(readTable('/tmp/x.json'), /unknown data file type ".json"/);
  assert.throws(() => parseCsv('a,b\n1\n', { source: 'bad.csv' }), /bad.csv: cannot parse CSV/);
});

void test('dropDuplicates keeps the first of exact duplicates; missing equals missing', () => {
  const t = tableFromRecords([
    { a: 1, s: 'x' },
    { a: null, s: null },
    { a: 1, s: 'x' },
    { a: null, s: null },
    { a: 1, s: 'null' },
  ]);
  const d = dropDuplicates(t);
  assert.equal(d.nRows, 3);
  assert.deepEqual(d.strings('s'), ['x', null, 'null']);
});

void test('uniqueRowIndices by hashing keeps the same rows as a key per row would', () => {
  let seed = 11;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const n = 20_000;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const t = new Table([
    {
      name: 'x',
      type: 'double',
      values: Float64Array.from({ length: n }, () => pick([0, -0, 0.5, NaN, 1e-300])),
    },
    { name: 'k', type: 'long', values: Float64Array.from({ length: n }, () => pick([1, 2, 3, NaN])) },
    {
      name: 's',
      type: 'string',
      values: Array.from({ length: n }, () => pick(['a', 'b', '', null, 'null'])),
    },
    { name: 't', type: 'string', values: Array.from({ length: n }, () => pick(['p', 'q', null])) },
  ]);
  // The plain definition: a row's key is its values as text (NaN and -0 print as the same text).
  const key = (i: number) =>
    JSON.stringify(
      t.columns.map((c) => (c.type === 'string' ? c.values[i] : String(c.values[i] === 0 ? 0 : c.values[i]))),
    );
  const seen = new Set<string>();
  const expected: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = key(i);
    if (!seen.has(k)) {
      seen.add(k);
      expected.push(i);
    }
  }
  assert.ok(expected.length < n && expected.length > 100);
  assert.deepEqual(Array.from(uniqueRowIndices(t)), expected);
});

void test('selectRows gathers in index order; concatTables stacks', () => {
  const t = tableFromRecords([
    { a: 1, s: 'x' },
    { a: 2, s: 'y' },
    { a: 3, s: 'z' },
  ]);
  const s = selectRows(t, Uint32Array.from([2, 0, 2]));
  assert.deepEqual(Array.from(s.numeric('a')), [3, 1, 3]);
  assert.deepEqual(s.strings('s'), ['z', 'x', 'z']);
  assert.throws(() => selectRows(t, [5]), /out of range/);
  assert.equal(concatTables([t, s]).nRows, 6);
});

void test('addTextFeature joins with the separator, missing read as ""', () => {
  const t = tableFromRecords([
    { title: 'Hello', song_name: 'World' },
    { title: null, song_name: 'Only' },
    { title: null, song_name: null },
  ]);
  const out = addTextFeature(t, { name: 'text_feature', columns: ['title', 'song_name'] });
  assert.deepEqual(out.strings('text_feature'), ['Hello World', ' Only', ' ']);
});

void test('addTextFeature reads a source column with no value at all as missing, whatever type CSV gave it', () => {
  // The reference's first rows have no title: read alone, that column has no values and parses as numbers.
  const csv = 'title,song_name,energy\n,Mercury,0.8\n,Pathology,0.4\n';
  const t = parseCsv(csv, { source: 'head.csv' });
  assert.notEqual(t.column('title').type, 'string');
  const out = addTextFeature(t, { name: 'text_feature', columns: ['title', 'song_name'] });
  assert.deepEqual(out.strings('text_feature'), [' Mercury', ' Pathology']);
  // A numeric column with values is still not text.
  assert.throws(
    () => addTextFeature(t, { name: 'text_feature', columns: ['energy', 'song_name'] }),
    /text feature "text_feature": column "energy" is double, expected string/,
  );
});

void test('stratifiedSplit: sklearn sizes, per-class proportions, disjoint, deterministic per seed', () => {
  const labels: string[] = [];
  for (let i = 0; i < 60; i++) labels.push('a');
  for (let i = 0; i < 30; i++) labels.push('b');
  for (let i = 0; i < 10; i++) labels.push('c');
  const t = tableFromRecords(labels.map((y, i) => ({ y, i })));
  const s1 = stratifiedSplit(t, { testSize: 0.3, stratify: 'y', seed: 42 });
  assert.equal(s1.test.nRows, 30); // ceil(0.3 * 100)
  assert.equal(s1.train.nRows, 70);
  const count = (tb: Table, c: string): number => tb.strings('y').filter((v) => v === c).length;
  assert.deepEqual([count(s1.test, 'a'), count(s1.test, 'b'), count(s1.test, 'c')], [18, 9, 3]);
  const all = new Set([...s1.trainIndices, ...s1.testIndices]);
  assert.equal(all.size, 100);
  const s2 = stratifiedSplit(t, { testSize: 0.3, stratify: 'y', seed: 42 });
  assert.deepEqual(s2.testIndices, s1.testIndices);
  const s3 = stratifiedSplit(t, { testSize: 0.3, stratify: 'y', seed: 7 });
  assert.notDeepEqual(s3.testIndices, s1.testIndices);
  const one = tableFromRecords([{ y: 'a' }, { y: 'a' }, { y: 'b' }]);
  assert.throws(
    () => stratifiedSplit(one, { testSize: 0.5, stratify: 'y', seed: 1 }),
    /class "b" has only 1 row/,
  );
});

void test('records and split orient: schema enforced, errors name column and row', () => {
  const schema = [
    { name: 'x', type: 'double' as const },
    { name: 'k', type: 'long' as const },
    { name: 's', type: 'string' as const },
  ];
  const t = tableFromSplit(
    {
      columns: ['s', 'k', 'x', 'extra'],
      data: [
        ['a', 1, 2, 0],
        [null, 2, null, 0],
      ],
    },
    schema,
  );
  assert.deepEqual(t.names, ['x', 'k', 's']);
  assert.deepEqual(tableToSplit(t), {
    columns: ['x', 'k', 's'],
    data: [
      [2, 1, 'a'],
      [null, 2, null],
    ],
  });
  assert.throws(() => tableFromRecords([{ x: 1, k: 1.5, s: 'a' }], schema, { source: 'req' }), {
    message: 'req: column "k" row 1: expected long (an integer), got 1.5',
  });
  assert.throws(() => tableFromRecords([{ x: 1, s: 'a' }], schema), /missing column "k"/);
});

void test(
  'reference Parquet (BROTLI) reads with the documented shape',
  { skip: !existsSync(REFERENCE_PARQUET) },
  async () => {
    const t = await readTable(REFERENCE_PARQUET);
    assert.equal(t.nRows, 42896);
    assert.equal(t.column('duration_ms').type, 'long');
    assert.equal(t.column('loudness').type, 'double');
    assert.equal(t.numeric('loudness').filter(Number.isNaN).length, 9170);
    assert.equal(t.strings('song_name').filter((v) => v === null).length, 21085);
    assert.equal(dropDuplicates(t).nRows, 41975);
  },
);

void test(
  'Parquet column subset and a declared type that does not fit',
  { skip: !existsSync(REFERENCE_PARQUET) },
  async () => {
    const t = await readTable(REFERENCE_PARQUET, { columns: ['genre', 'key'] });
    assert.deepEqual(t.names, ['genre', 'key']);
    await assert.rejects(
      readTable(REFERENCE_PARQUET, { columns: ['genre'], types: { genre: 'double' } }),
      /genres_mod.parquet: column "genre" row 1: "Dark Trap" is not a number/,
    );
    const dir = await mkdtemp(join(tmpdir(), 'mltable-'));
    try {
      await writeFile(join(dir, 'bad.parquet'), 'not parquet at all');
      await assert.rejects(readTable(join(dir, 'bad.parquet')), /bad.parquet: not a readable Parquet file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

const REFERENCE_CSV = '/work/shared/data/genres_mod.csv';

void test(
  'reference CSV and Parquet read to the same table',
  { skip: !existsSync(REFERENCE_CSV) || !existsSync(REFERENCE_PARQUET) },
  async () => {
    const [csv, pq] = await Promise.all([readTable(REFERENCE_CSV), readTable(REFERENCE_PARQUET)]);
    assert.deepEqual(csv.schema(), pq.schema());
    for (const c of csv.columns) assert.deepEqual(c.values, pq.column(c.name).values, c.name);
  },
);
