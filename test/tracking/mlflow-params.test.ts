/**
 * The parts of the MLflow sink that need no server: the config as params within MLflow's limits,
 * artifact proxy paths, credentials only from the environment, and the config key's checks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config';
import {
  configParams,
  MAX_PARAM_KEY_LENGTH,
  MAX_PARAM_VALUE_LENGTH,
  TRUNCATION_MARK,
} from '../../src/tracking/mlflow/params';
import { authHeaders, proxiedArtifactPath } from '../../src/tracking/mlflow/client';

void describe('configParams', () => {
  void it('flattens the resolved config into dotted keys, one param per leaf', () => {
    const params = configParams(loadConfig({ env: {} }));
    const byKey = new Map(params.map((p) => [p.key, p.value]));
    assert.equal(byKey.get('random_forest_pipeline.random_forest.n_estimators'), '100');
    assert.equal(byKey.get('random_forest_pipeline.random_forest.max_depth'), '13');
    assert.equal(byKey.get('random_forest_pipeline.random_forest.bootstrap'), 'true');
    assert.equal(byKey.get('main.project_name'), 'default');
    assert.equal(byKey.get('data.na_values'), '["","NA","NaN"]');
    assert.equal(byKey.get('tracking.mlflow.uri'), 'null');
    assert.equal(new Set(params.map((p) => p.key)).size, params.length, 'keys are unique');
    for (const p of params) {
      assert.match(p.key, /^[\w\-. /:]+$/, p.key);
      assert.ok(p.key.length <= MAX_PARAM_KEY_LENGTH);
    }
  });

  void it('keeps a map with keys MLflow refuses as one JSON param, and cuts values over the limit', () => {
    const params = configParams({
      check_data: { ranges: { 'rate%': { min: 0 }, ok: { max: 1 } } },
      data: { source: 'x'.repeat(MAX_PARAM_VALUE_LENGTH + 10) },
      random_forest_pipeline: { random_forest: { class_weight: { 'a.b': 2 } } },
    });
    const byKey = new Map(params.map((p) => [p.key, p.value]));
    assert.equal(byKey.get('check_data.ranges'), '{"rate%":{"min":0},"ok":{"max":1}}');
    assert.equal(byKey.get('random_forest_pipeline.random_forest.class_weight'), '{"a.b":2}');
    const source = byKey.get('data.source') as string;
    assert.equal(source.length, MAX_PARAM_VALUE_LENGTH);
    assert.ok(source.endsWith(TRUNCATION_MARK));
  });
});

void describe('MLflow client helpers', () => {
  void it('finds the proxy path of an mlflow-artifacts URI, with or without a host', () => {
    assert.equal(
      proxiedArtifactPath('mlflow-artifacts:/1/models/m-abc/artifacts'),
      '1/models/m-abc/artifacts',
    );
    assert.equal(proxiedArtifactPath('mlflow-artifacts://host:5000/2/r1/artifacts/'), '2/r1/artifacts');
    assert.throws(() => proxiedArtifactPath('s3://bucket/1/r1/artifacts'), /--serve-artifacts/);
  });

  void it('takes credentials from the environment only', () => {
    assert.deepEqual(authHeaders({}), {});
    assert.deepEqual(authHeaders({ MLFLOW_TRACKING_TOKEN: 't0k' }), { authorization: 'Bearer t0k' });
    assert.deepEqual(authHeaders({ MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' }), {
      authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
    });
  });
});

void describe('tracking.mlflow config', () => {
  void it('is off by default and reads MLFLOW_TRACKING_URI', () => {
    assert.equal(loadConfig({ env: {} }).tracking.mlflow.uri, null);
    const cfg = loadConfig({ env: { MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000' } });
    assert.equal(cfg.tracking.mlflow.uri, 'http://127.0.0.1:5000');
  });

  void it('refuses credentials in the URI and servers that are not http(s), naming the key', () => {
    assert.throws(
      () => loadConfig({ env: {}, overrides: ['tracking.mlflow.uri=https://me:secret@mlflow.example'] }),
      (err: Error) => {
        assert.match(err.message, /tracking\.mlflow\.uri.*MLFLOW_TRACKING_USERNAME/s);
        assert.doesNotMatch(err.message, /secret/, 'the error does not repeat the password');
        return true;
      },
    );
    assert.throws(
      () => loadConfig({ env: {}, overrides: ['tracking.mlflow.uri=databricks'] }),
      /tracking\.mlflow\.uri.*http\(s\) URL/s,
    );
  });

  void it("leaves MLflow's local-store values of MLFLOW_TRACKING_URI to MLflow's own clients", () => {
    for (const value of ['databricks', 'file:./mlruns', 'sqlite:///mlflow.db'])
      assert.equal(loadConfig({ env: { MLFLOW_TRACKING_URI: value } }).tracking.mlflow.uri, null, value);
  });
});
