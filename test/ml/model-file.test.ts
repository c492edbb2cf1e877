import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FORMAT_VERSION,
  deserializeModel,
  fitInferencePipeline,
  loadModel,
  modelDigest,
  saveModel,
  serializeModel,
} from '../../src/ml/index';
import { SPEC, syntheticTable } from './synthetic';

const data = syntheticTable(300, 5);

for (const engine of ['native', 'ml-random-forest']) {
  void test(`model file round trip gives bit-identical predictions (${engine})`, async () => {
    const p = await fitInferencePipeline(data, {
      ...SPEC,
      random_forest: { engine, n_estimators: 12, max_depth: 6, random_state: 1 },
    });
    const dir = await mkdtemp(join(tmpdir(), 'mlpm-'));
    try {
      const path = join(dir, 'model.mlpm');
      const { digest, size } = await saveModel(p, path);
      const bytes = await readFile(path);
      assert.equal(bytes.length, size);
      assert.equal(modelDigest(bytes), digest);
      assert.equal(bytes.subarray(0, 4).toString('latin1'), 'MLPM');
      const q = await loadModel(path);
      assert.deepEqual(q.classes, p.classes);
      assert.deepEqual(q.inputSchema, p.inputSchema);
      assert.deepEqual(q.featureNames, p.featureNames);
      const a = p.predictProba(data);
      const b = q.predictProba(data);
      assert.deepEqual(Buffer.from(b.buffer), Buffer.from(a.buffer)); // bit-identical
      assert.deepEqual(q.featureImportances(), p.featureImportances());
      // Serialising the loaded model gives the same bytes: the format is canonical.
      assert.equal(modelDigest(serializeModel(q)), digest);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

void test('loading rejects bad magic, unknown format_version, truncated arrays', async () => {
  const p = await fitInferencePipeline(data, {
    ...SPEC,
    random_forest: { engine: 'native', n_estimators: 3, max_depth: 3, random_state: 1 },
  });
  const buf = serializeModel(p);
  assert.throws(
    () => deserializeModel(Buffer.from('hello world, not a model'), 'x.mlpm'),
    /x.mlpm: not a temporal-ml-pipeline model file/,
  );
  // Rewrite the header with another format_version (same length so the layout stays valid).
  const hlen = buf.readUInt32LE(8);
  const header = buf.subarray(12, 12 + hlen).toString('utf8');
  const bumped = header.replace(`"format_version":${FORMAT_VERSION}`, `"format_version":9`);
  assert.equal(bumped.length, header.length);
  const other = Buffer.from(buf);
  other.write(bumped, 12, 'utf8');
  assert.throws(
    () => deserializeModel(other, 'm.mlpm'),
    /m.mlpm: unsupported format_version 9 \(this build reads 1\)/,
  );
  assert.throws(
    () => deserializeModel(buf.subarray(0, buf.length - 64), 't.mlpm'),
    /runs past the end of the file/,
  );
  const dir = await mkdtemp(join(tmpdir(), 'mlpm-'));
  try {
    await writeFile(join(dir, 'bad.mlpm'), 'garbage');
    await assert.rejects(loadModel(join(dir, 'bad.mlpm')), /bad.mlpm: not a temporal-ml-pipeline model file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('same data and config give the same model digest (native engine, two fits)', async () => {
  const spec = {
    ...SPEC,
    random_forest: { engine: 'native', n_estimators: 8, max_depth: 5, random_state: 42 },
  };
  const a = serializeModel(await fitInferencePipeline(data, spec));
  const b = serializeModel(await fitInferencePipeline(data, spec));
  assert.equal(modelDigest(a), modelDigest(b));
});

void test('the model file does not depend on n_jobs or verbose (same model, same bytes)', async () => {
  const table = syntheticTable(400, 7);
  const fit = (nJobs: number, verbose: number) =>
    fitInferencePipeline(table, {
      ...SPEC,
      random_forest: { n_estimators: 12, random_state: 3, n_jobs: nJobs, verbose },
    });
  const [one, two] = await Promise.all([fit(1, 0), fit(2, 1)]);
  assert.equal(modelDigest(serializeModel(one)), modelDigest(serializeModel(two)));
});
