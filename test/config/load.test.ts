import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError,
  configDefaults,
  configDigest,
  loadConfig,
  normalizeStepName,
  pipelineConfigInputSchema,
  projectRoot,
  readConfigFile,
  resolveStepOptions,
} from '../../src/config';

const dir = mkdtempSync(join(tmpdir(), 'mlpipe-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (yaml: string): string => {
  const path = join(dir, `c${n++}.yaml`);
  writeFileSync(path, yaml);
  return path;
};
const noEnv = {};
/** Asserts that `f` throws a ConfigError whose message contains every `parts`. */
const configError = (f: () => unknown, ...parts: string[]): void => {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${String(err)}`);
    for (const p of parts)
      assert.ok(err.message.includes(p), `message lacks ${JSON.stringify(p)}:\n${err.message}`);
    return true;
  });
};

void describe('config/pipeline.yaml', () => {
  void it('states exactly the schema defaults (the file is the config reference)', () => {
    const stated = pipelineConfigInputSchema.parse(
      readConfigFile(join(projectRoot(), 'config', 'pipeline.yaml')),
    );
    assert.deepEqual(stated, configDefaults());
  });

  void it('is found from the project folder, or from $MLPIPE_CONFIG', () => {
    assert.ok(existsSync(join(projectRoot(), 'package.json')));
    const name = (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { name: string })
      .name;
    assert.equal(name, 'temporal-ml-pipeline');
    assert.equal(loadConfig({ env: noEnv }).main.project_name, 'default');
    const other = file('main: {project_name: elsewhere}\n');
    assert.equal(loadConfig({ env: { MLPIPE_CONFIG: other } }).main.project_name, 'elsewhere');
  });
});

void describe('loadConfig', () => {
  void it('fills whatever a file leaves out with the defaults (an empty file is all defaults)', () => {
    const defaults = loadConfig({ env: noEnv });
    assert.deepEqual(loadConfig({ path: file(''), env: noEnv }), defaults);
    const partial = loadConfig({ path: file('data:\n  test_size: 0.2\n'), env: noEnv });
    assert.equal(partial.data.test_size, 0.2);
    assert.equal(partial.data.val_size, 0.3);
    assert.deepEqual(partial.steps, defaults.steps);
  });

  void it('applies env, then overrides, then the patch (later wins)', () => {
    const env = {
      MLPIPE_STORAGE_URI: 's3://bucket/art',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'ml',
    };
    const fromEnv = loadConfig({ env });
    assert.equal(fromEnv.storage.uri, 's3://bucket/art');
    assert.equal(fromEnv.temporal.address, 'temporal:7233');
    assert.equal(fromEnv.temporal.namespace, 'ml');
    const layered = loadConfig({
      env,
      overrides: ['storage.uri=/tmp/x', 'data.test_size=0.2', 'main.random_seed=7'],
      patch: { data: { test_size: 0.1 } },
    });
    assert.equal(layered.storage.uri, '/tmp/x');
    assert.equal(layered.data.test_size, 0.1);
    assert.equal(layered.data.val_size, 0.3);
    assert.equal(layered.main.random_seed, 7);
  });

  void it('names a wrong type with its key path, what was expected and what was found', () => {
    configError(
      () => loadConfig({ env: noEnv, overrides: ['random_forest_pipeline.random_forest.max_depth=deep'] }),
      'random_forest_pipeline.random_forest.max_depth: expected integer ≥ 1 or null, got "deep"',
    );
    configError(
      () => loadConfig({ env: noEnv, patch: { steps: { train_random_forest: { heartbeat_timeout: 30 } } } }),
      'steps.train_random_forest.heartbeat_timeout: expected duration such as 30s, or null, got 30',
    );
  });

  void it("checks the native forest's hyperparameter rules with the config, before any step runs", () => {
    configError(
      () => loadConfig({ env: noEnv, overrides: ['random_forest_pipeline.random_forest.criterion=foo'] }),
      `random_forest_pipeline.random_forest.criterion: must be one of 'gini', 'entropy', 'log_loss'; got "foo"`,
    );
    configError(
      () =>
        loadConfig({
          env: noEnv,
          overrides: ['random_forest_pipeline.random_forest.class_weight=unbalanced'],
        }),
      'random_forest_pipeline.random_forest.class_weight: must be',
    );
    // ml-random-forest has rules of its own (it supports only gini), checked when it fits.
    const other = loadConfig({
      env: noEnv,
      overrides: ['random_forest_pipeline.random_forest.engine=ml-random-forest'],
    });
    assert.equal(other.random_forest_pipeline.random_forest.engine, 'ml-random-forest');
  });

  void it('names an unknown key and suggests the close one, even inside random_forest', () => {
    configError(
      () => loadConfig({ path: file('data:\n  sourse: x.csv\n'), env: noEnv }),
      'data.sourse: unknown key; did you mean data.source?',
    );
    configError(
      () => loadConfig({ env: noEnv, patch: { random_forest_pipeline: { random_forest: { max_dept: 3 } } } }),
      'random_forest_pipeline.random_forest.max_dept: unknown key; did you mean random_forest_pipeline.random_forest.max_depth?',
    );
    configError(
      () => loadConfig({ env: noEnv, patch: { data: { n_estimators: 3 } } }),
      'data.n_estimators: unknown key here; n_estimators belongs in random_forest_pipeline.random_forest.n_estimators',
    );
  });

  void it('reports every problem in one error', () => {
    assert.throws(
      () =>
        loadConfig({
          env: noEnv,
          overrides: ['data.test_size=1.5', 'main.execute_steps=[get_data,train]', 'sweep.max_parallel=0'],
        }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(
          err.issues.map((i) => i.path),
          ['data.test_size', 'main.execute_steps[1]', 'sweep.max_parallel'],
        );
        assert.match(err.message, /^Invalid pipeline config \(config\/pipeline\.yaml \+ overrides\):/);
        return true;
      },
    );
  });

  void it('reports a missing file, bad YAML (with its line) and duplicate keys, naming the file', () => {
    configError(
      () => loadConfig({ path: join(dir, 'absent.yaml'), env: noEnv }),
      'config file not found',
      'absent.yaml',
    );
    configError(
      () => loadConfig({ path: file('data:\n  test_size: [0.3\n'), env: noEnv }),
      'is not valid YAML',
      'line',
    );
    configError(
      () => loadConfig({ path: file('data:\n  ks_alpha: 0.1\n  ks_alpha: 0.2\n'), env: noEnv }),
      'ks_alpha',
    );
    configError(
      () => loadConfig({ path: file('- a\n- b\n'), env: noEnv }),
      'expected a mapping of config sections',
    );
  });

  void it('accepts the reference names: file_url, download/random_forest, a comma-separated step string', () => {
    const cfg = loadConfig({
      env: noEnv,
      overrides: ["main.execute_steps='download,random_forest'", 'data.file_url=https://h/x.csv'],
      patch: { steps: { random_forest: { start_to_close_timeout: '1h' } } },
    });
    assert.deepEqual(cfg.main.execute_steps, ['get_data', 'train_random_forest']);
    assert.equal(cfg.data.source, 'https://h/x.csv');
    assert.equal(cfg.steps.train_random_forest.start_to_close_timeout, '1h');
    assert.equal(loadConfig({ path: file('data: {file_url: a.csv}\n'), env: noEnv }).data.source, 'a.csv');
    configError(
      () => loadConfig({ path: file('data: {file_url: a.csv, source: b.csv}\n'), env: noEnv }),
      "data.file_url: is the reference's name for data.source; give only one of the two",
    );
    configError(
      () => loadConfig({ env: noEnv, overrides: ['main.execute_steps=[get_data,get_data]'] }),
      'lists a step twice',
    );
  });

  void it('resolves random_state null to main.random_seed, and keeps an explicit one', () => {
    const rf = (overrides: string[]) =>
      loadConfig({ env: noEnv, overrides }).random_forest_pipeline.random_forest;
    assert.equal(rf([]).random_state, 42);
    assert.equal(rf(['main.random_seed=7']).random_state, 7);
    assert.equal(
      rf(['main.random_seed=7', 'random_forest_pipeline.random_forest.random_state=3']).random_state,
      3,
    );
  });
});

void describe('configDigest', () => {
  void it('is a sha256 of the canonical JSON: key order does not matter, values do', () => {
    const cfg = loadConfig({ env: noEnv });
    const reordered = Object.fromEntries(Object.entries(cfg).reverse());
    assert.match(configDigest(cfg), /^[0-9a-f]{64}$/);
    assert.equal(configDigest(reordered), configDigest(cfg));
    assert.equal(configDigest(loadConfig({ env: noEnv })), configDigest(cfg));
    assert.notEqual(
      configDigest(loadConfig({ env: noEnv, overrides: ['data.test_size=0.31'] })),
      configDigest(cfg),
    );
  });
});

void describe('resolveStepOptions', () => {
  void it('merges steps.defaults with the step, key by key', () => {
    const cfg = loadConfig({
      env: noEnv,
      overrides: ['+steps.get_data.retry.maximum_attempts=10', 'steps.defaults.retry.initial_interval=2s'],
    });
    assert.deepEqual(resolveStepOptions(cfg, 'get_data'), {
      startToCloseTimeout: '10m',
      retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
    });
    assert.deepEqual(resolveStepOptions(cfg, 'random_forest'), {
      startToCloseTimeout: '30m',
      heartbeatTimeout: '30s',
      retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
    });
    const noHeartbeat = loadConfig({
      env: noEnv,
      overrides: ['steps.train_random_forest.heartbeat_timeout=null'],
    });
    assert.equal(resolveStepOptions(noHeartbeat, 'train_random_forest').heartbeatTimeout, undefined);
  });

  void it('normalizes step names and rejects unknown ones', () => {
    assert.equal(normalizeStepName('download'), 'get_data');
    assert.equal(normalizeStepName('random_forest'), 'train_random_forest');
    assert.equal(normalizeStepName('evaluate'), 'evaluate');
    assert.throws(
      () => normalizeStepName('train'),
      (err: unknown) => err instanceof ConfigError && /unknown step "train"/.test(err.message),
    );
  });
});
