import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ml from '../../src/ml/index';
import type {
  ColumnSpec,
  InferencePipeline,
  KsResult,
  ModelSignature,
  PipelineSpec,
  Table,
} from '../../src/ml/index';

// Compile-time checks of the shapes other modules are written against.
type Expect<T extends true> = T;
type _Fit = Expect<
  ReturnType<typeof ml.fitInferencePipeline> extends Promise<InferencePipeline> ? true : false
>;
type _Spec = Expect<
  PipelineSpec['features'] extends { numerical: string[]; categorical: string[]; nlp: string[] }
    ? true
    : false
>;
type _Enforce = Expect<ReturnType<typeof ml.enforceSignature> extends Table ? true : false>;
type _Sig = Expect<ModelSignature['inputs'][number] extends ColumnSpec ? true : false>;
type _Ks = Expect<KsResult extends { statistic: number; pvalue: number } ? true : false>;

void test('the public surface exports the documented functions', () => {
  const names = [
    'readTable',
    'parseCsv',
    'writeCsv',
    'formatCsv',
    'parseParquet',
    'tableFromRecords',
    'tableFromSplit',
    'tableToSplit',
    'selectRows',
    'dropDuplicates',
    'addTextFeature',
    'stratifiedSplit',
    'concatTables',
    'fitInferencePipeline',
    'getEngine',
    'encodeLabels',
    'argmaxRows',
    'accuracy',
    'macroF1',
    'rocAuc',
    'confusionMatrix',
    'normalizeConfusionMatrix',
    'logLoss',
    'ks2samp',
    'saveModel',
    'loadModel',
    'serializeModel',
    'deserializeModel',
    'modelDigest',
    'exportModel',
    'loadModelExport',
    'enforceSignature',
  ] as const;
  for (const n of names) assert.equal(typeof ml[n], 'function', n);
  assert.equal(typeof ml.Table, 'function');
  assert.equal(ml.FORMAT_VERSION, 1);
  assert.deepEqual([...ml.ENGINE_NAMES].sort(), ['ml-random-forest', 'native']);
});
