import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nativeForestEngine } from '../../../src/ml/forest';
import { DEFAULT_RANDOM_STATE, resolveParams } from '../../../src/ml/forest/params';
import { makeBlobs } from './synthetic';

const data = { nRows: 100, nFeatures: 22, classes: ['a', 'b'] };

void describe('forest hyperparameters', () => {
  void it('accepts the reference configuration', () => {
    const p = resolveParams(
      {
        n_estimators: 100,
        criterion: 'gini',
        max_depth: 13,
        min_samples_split: 2,
        min_samples_leaf: 1,
        min_weight_fraction_leaf: 0.0,
        max_features: 'auto',
        max_leaf_nodes: null,
        min_impurity_decrease: 0.0,
        min_impurity_split: null,
        bootstrap: true,
        oob_score: false,
        n_jobs: -1,
        random_state: 42,
        verbose: 0,
        warm_start: false,
        class_weight: 'balanced',
        ccp_alpha: 0.0,
        max_samples: null,
      },
      data,
    );
    assert.equal(p.maxFeatures, 4);
    assert.equal(p.maxDepth, 13);
    assert.ok(p.nJobs >= 1);
  });

  void it('resolves defaults and documented fallbacks', () => {
    const p = resolveParams({ random_state: null, max_features: 'log2', min_samples_leaf: 0.1 }, data);
    assert.equal(p.randomState, DEFAULT_RANDOM_STATE);
    assert.equal(p.maxFeatures, 4);
    assert.equal(p.minSamplesLeaf, 10);
    assert.equal(p.nJobs, 1);
    assert.equal(p.maxDepth, Infinity);
  });

  for (const [key, value] of [
    ['n_estimators', 0],
    ['criterion', 'mse'],
    ['max_depth', 0],
    ['max_features', 'cube'],
    ['max_features', 23],
    ['class_weight', 'even'],
    ['class_weight', { c: 1 }],
    ['warm_start', true],
    ['ccp_alpha', 0.1],
    ['min_impurity_split', 0.5],
    ['n_jobs', 0],
    ['random_state', -1],
    ['bootstrap', 'yes'],
  ] as const) {
    void it(`rejects ${key}=${JSON.stringify(value)} with an error naming the key and quoting the value`, () => {
      assert.throws(
        () => resolveParams({ [key]: value }, data),
        (e: Error) => e.message.includes(`"${key}"`) && e.message.includes(JSON.stringify(value)),
      );
    });
  }

  void it('rejects unknown keys and inconsistent combinations', () => {
    assert.throws(() => resolveParams({ n_trees: 10 }, data), /"n_trees"/);
    assert.throws(() => resolveParams({ bootstrap: false, oob_score: true }, data), /"oob_score"/);
    assert.throws(() => resolveParams({ bootstrap: false, max_samples: 0.5 }, data), /"max_samples"/);
  });

  void it('fails the fit itself before any work on a bad value', async () => {
    const d = makeBlobs(50, 1);
    await assert.rejects(
      nativeForestEngine.fit(d.X, d.y, { max_depth: 'deep' }, { classes: d.classes }),
      /"max_depth"/,
    );
  });
});
