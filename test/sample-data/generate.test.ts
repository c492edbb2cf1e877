import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GENRES,
  SAMPLE_COLUMNS,
  generateSampleGenres,
  sampleGenresCsv,
  writeSampleCsv,
  type SampleRow,
} from '../../src/sample-data';

const REFERENCE_CSV = join(__dirname, '../../../shared/data/genres_mod.csv');
const rows = generateSampleGenres({ rows: 8000, seed: 42 });

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const numbers = (column: keyof SampleRow): number[] =>
  rows.map((r) => r[column]).filter((v): v is number => typeof v === 'number');
const share = (pred: (r: SampleRow) => boolean): number => rows.filter(pred).length / rows.length;

void describe('sample genres: schema', () => {
  void it(
    'has the reference header, in order',
    { skip: !existsSync(REFERENCE_CSV) && 'reference CSV absent' },
    () => {
      const header = readFileSync(REFERENCE_CSV, 'utf8').split('\n', 1)[0].trim();
      assert.equal(SAMPLE_COLUMNS.join(','), header);
      assert.equal(sampleGenresCsv({ rows: 3, seed: 1 }).split('\n', 1)[0], header);
    },
  );

  void it('gives every row every column, with the reference types and ranges', () => {
    assert.equal(rows.length, 8000);
    const unit = [
      'danceability',
      'energy',
      'speechiness',
      'acousticness',
      'instrumentalness',
      'liveness',
      'valence',
    ];
    for (const row of rows) {
      assert.deepEqual(Object.keys(row), [...SAMPLE_COLUMNS]);
      for (const c of unit)
        assert.ok(
          (row[c as keyof SampleRow] as number) >= 0 && (row[c as keyof SampleRow] as number) <= 1,
          c,
        );
      assert.ok(Number.isInteger(row.key) && (row.key as number) >= 0 && (row.key as number) <= 11);
      assert.ok([0, 1].includes(row.mode as number));
      assert.ok([1, 3, 4, 5].includes(row.time_signature as number));
      assert.ok(
        Number.isInteger(row.duration_ms) &&
          (row.duration_ms as number) >= 20000 &&
          (row.duration_ms as number) <= 1e6,
      );
      assert.ok((row.tempo as number) >= 50 && (row.tempo as number) <= 250);
      assert.ok(row.loudness === null || ((row.loudness as number) >= -35 && (row.loudness as number) <= 5));
      assert.equal(row.type, 'audio_features');
      assert.ok((GENRES as readonly string[]).includes(row.genre as string));
    }
    assert.deepEqual(new Set(rows.map((r) => r.genre)), new Set(GENRES));
  });

  void it('misses about a fifth of loudness, and half of titles and of song names (one of the two per row)', () => {
    const loudnessMissing = share((r) => r.loudness === null);
    assert.ok(loudnessMissing > 0.17 && loudnessMissing < 0.25, `loudness missing ${loudnessMissing}`);
    const titleMissing = share((r) => r.title === null);
    assert.ok(titleMissing > 0.4 && titleMissing < 0.6, `title missing ${titleMissing}`);
    assert.equal(
      share((r) => (r.title === null) === (r.song_name === null)),
      0,
    );
  });

  void it('contains a few exact duplicate rows for preprocess to drop', () => {
    const lines = sampleGenresCsv({ rows: 8000, seed: 42 }).trim().split('\n').slice(1);
    const duplicates = lines.length - new Set(lines).size;
    assert.ok(duplicates >= 40 && duplicates <= 200, `${duplicates} duplicates`);
  });

  void it('keeps the smallest class big enough for two stratified splits', () => {
    const small = generateSampleGenres({ rows: 300, seed: 3 });
    for (const g of GENRES) assert.ok(small.filter((r) => r.genre === g).length >= 4, g);
  });

  void it('rejects a bad row count or seed, naming the option', () => {
    assert.throws(() => generateSampleGenres({ rows: 0, seed: 1 }), /sample rows/);
    assert.throws(() => generateSampleGenres({ rows: 10, seed: 1.5 }), /sample seed/);
  });
});

void describe('sample genres: determinism', () => {
  void it('is byte-identical for a seed and differs across seeds', () => {
    const a = sampleGenresCsv({ rows: 2000, seed: 42 });
    assert.equal(sha256(a), sha256(sampleGenresCsv({ rows: 2000, seed: 42 })));
    assert.notEqual(sha256(a), sha256(sampleGenresCsv({ rows: 2000, seed: 43 })));
  });

  void it('is pinned: the bundled dataset only changes on purpose', () => {
    // Changing the generator changes every default run's data and model digest. If that is the
    // intent, update this hash (and say so in the commit). Math.log/cos come from V8's own fdlibm
    // port, so the hash is the same on every platform.
    assert.equal(
      sha256(sampleGenresCsv({ rows: 2000, seed: 42 })),
      '67e6a4a59ecb8bf2e20411154b57ed656c29bf681e24a6e30a4a7687663ab27f',
    );
  });

  void it('writes the CSV whole, leaving no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlpipe-sample-'));
    try {
      const path = join(dir, 'nested', 'genres.csv');
      await writeSampleCsv(path, { rows: 500, seed: 9 });
      assert.equal(await readFile(path, 'utf8'), sampleGenresCsv({ rows: 500, seed: 9 }));
      assert.deepEqual(await readdir(join(dir, 'nested')), ['genres.csv']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Class overlap, without the ML library: a one-column classifier (20 equal-width bins, majority class
 * per bin, fitted on one half and scored on the other) barely beats always guessing the largest class,
 * while a nearest-centroid classifier on all audio columns does clearly better. So the information is
 * spread over the columns, and no single one gives the classes away.
 */
void describe('sample genres: class overlap', () => {
  const half = rows.length >> 1;
  const train = rows.slice(0, half);
  const test = rows.slice(half);
  const audio = [
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
  ] as const;

  function oneColumnAccuracy(column: keyof SampleRow): number {
    const values = numbers(column);
    const min = Math.min(...values);
    const width = (Math.max(...values) - min) / 20 || 1;
    const bin = (v: number): number => Math.min(19, Math.floor((v - min) / width));
    const counts = Array.from({ length: 20 }, () => new Map<string, number>());
    for (const r of train) {
      if (typeof r[column] !== 'number') continue;
      const m = counts[bin(r[column] as number)];
      m.set(r.genre as string, (m.get(r.genre as string) ?? 0) + 1);
    }
    const majority = counts.map((m) => [...m].sort((a, b) => b[1] - a[1])[0]?.[0]);
    const scored = test.filter((r) => typeof r[column] === 'number');
    return scored.filter((r) => majority[bin(r[column] as number)] === r.genre).length / scored.length;
  }

  function nearestCentroidAccuracy(): number {
    const stats = audio.map((c) => {
      const v = numbers(c);
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
      return { mean, sd };
    });
    const z = (r: SampleRow): number[] =>
      audio.map((c, j) => (typeof r[c] === 'number' ? ((r[c] as number) - stats[j].mean) / stats[j].sd : 0));
    const centroids = new Map<string, { sum: number[]; n: number }>();
    for (const r of train) {
      const c = centroids.get(r.genre as string) ?? { sum: audio.map(() => 0), n: 0 };
      z(r).forEach((x, j) => (c.sum[j] += x));
      c.n++;
      centroids.set(r.genre as string, c);
    }
    const means = [...centroids].map(([g, c]) => [g, c.sum.map((s) => s / c.n)] as const);
    let correct = 0;
    for (const r of test) {
      const x = z(r);
      let best = '';
      let bestD = Infinity;
      for (const [g, m] of means) {
        const d = m.reduce((s, mj, j) => s + (x[j] - mj) ** 2, 0);
        if (d < bestD) [best, bestD] = [g, d];
      }
      if (best === r.genre) correct++;
    }
    return correct / test.length;
  }

  void it('no single column separates the genres; all of them together do much better', () => {
    const largestClass =
      Math.max(...GENRES.map((g) => test.filter((r) => r.genre === g).length)) / test.length;
    const single = Object.fromEntries(
      [...audio, 'key', 'mode', 'time_signature'].map((c) => [c, oneColumnAccuracy(c as keyof SampleRow)]),
    );
    const bestSingle = Math.max(...Object.values(single));
    assert.ok(
      bestSingle < largestClass + 0.1,
      `a single column classifies too well: ${JSON.stringify(single)}`,
    );
    const combined = nearestCentroidAccuracy();
    assert.ok(combined > bestSingle + 0.1, `all columns (${combined}) vs best single (${bestSingle})`);
  });
});
