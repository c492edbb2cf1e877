import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { loadConfig, normalizeStepName, type PipelineConfig } from '../../src/config';

const FIXTURE = join(__dirname, '../fixtures/reference-config.yaml');
const dir = mkdtempSync(join(tmpdir(), 'mlpipe-refcfg-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every leaf of a parsed YAML object, as [dotted path, value]. */
function leaves(obj: unknown, prefix = ''): [string, unknown][] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return [[prefix, obj]];
  return Object.entries(obj).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

function at(cfg: PipelineConfig, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], cfg);
}

void describe('the reference config.yaml', () => {
  const reference = parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
  const loaded = loadConfig({ path: FIXTURE, env: {} });

  void it('holds every key of the reference (the fixture is complete)', () => {
    const paths = leaves(reference).map(([p]) => p);
    for (const key of [
      'main.project_name',
      'main.experiment_name',
      'main.execute_steps',
      'main.random_seed',
    ]) {
      assert.ok(paths.includes(key), key);
    }
    for (const key of ['file_url', 'reference_dataset', 'ks_alpha', 'test_size', 'val_size', 'stratify']) {
      assert.ok(paths.includes(`data.${key}`), key);
    }
    const rf = paths.filter((p) => p.startsWith('random_forest_pipeline.random_forest.'));
    assert.equal(rf.length, 19);
    assert.ok(paths.includes('random_forest_pipeline.random_forest.min_impurity_split'));
    for (const key of [
      'tfidf.max_features',
      'features.numerical',
      'features.categorical',
      'features.nlp',
      'export_artifact',
    ]) {
      assert.ok(paths.includes(`random_forest_pipeline.${key}`), key);
    }
  });

  void it('loads unchanged: every key keeps its value (under our name where the reference used another)', () => {
    for (const [path, value] of leaves(reference)) {
      if (path === 'data.file_url') assert.equal(loaded.data.source, value);
      else if (path === 'main.execute_steps') {
        assert.deepEqual(loaded.main.execute_steps, (value as string[]).map(normalizeStepName));
      } else assert.deepEqual(at(loaded, path), value, path);
    }
    assert.deepEqual(loaded.main.execute_steps, [
      'get_data',
      'preprocess',
      'check_data',
      'segregate',
      'train_random_forest',
      'evaluate',
    ]);
  });

  void it('takes the defaults for what the reference does not have', () => {
    const plain = loadConfig({ env: {} });
    // The reference hard-codes its label in its steps; here an unset target is resolved from the data.
    assert.equal(loaded.data.target, null);
    assert.equal(loaded.random_forest_pipeline.random_forest.engine, 'native');
    for (const section of [
      'preprocess',
      'check_data',
      'evaluate',
      'sweep',
      'steps',
      'storage',
      'temporal',
    ] as const) {
      assert.deepEqual(loaded[section], plain[section], section);
    }
  });

  void it('random_state: null falls back to main.random_seed (reproducible by default)', () => {
    const path = join(dir, 'null-state.yaml');
    writeFileSync(path, readFileSync(FIXTURE, 'utf8').replace('random_state: 42', 'random_state: null'));
    assert.equal(loadConfig({ path, env: {} }).random_forest_pipeline.random_forest.random_state, 42);
    const reseeded = loadConfig({ path, env: {}, overrides: ['main.random_seed=2024'] });
    assert.equal(reseeded.random_forest_pipeline.random_forest.random_state, 2024);
  });
});
