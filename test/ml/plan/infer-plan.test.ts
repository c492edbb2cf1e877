import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Table, fitInferencePipeline, inferFeaturePlan, selectRows, type Column } from '../../../src/ml';

const N = 100;
const num = (name: string, f: (i: number) => number): Column => ({
  name,
  type: 'double',
  values: Float64Array.from({ length: N }, (_, i) => f(i)),
});
const long = (name: string, f: (i: number) => number): Column => ({
  name,
  type: 'long',
  values: Float64Array.from({ length: N }, (_, i) => f(i)),
});
const str = (name: string, f: (i: number) => string | null): Column => ({
  name,
  type: 'string',
  values: Array.from({ length: N }, (_, i) => f(i)),
});

function table(): Table {
  return new Table([
    long('order_id', (i) => 1000 + i),
    num('price', (i) => i * 1.5 + 0.25),
    long('rating', (i) => i % 5),
    long('count', (i) => i % 40),
    str('colour', (i) => ['red', 'green', 'blue'][i % 3]),
    str('sku', (i) => `SKU${i}`),
    str('review', (i) => `word${i} another${i % 7} text${i % 3}`),
    str('constant', () => 'x'),
    num('empty', () => NaN),
    str('label', (i) => (i % 2 ? 'yes' : 'no')),
  ]);
}

void describe('inferFeaturePlan', () => {
  void it('applies each rule and says why', () => {
    const plan = inferFeaturePlan(table(), 'label');
    assert.deepEqual(plan.features, {
      numerical: ['price', 'count'],
      categorical: ['rating', 'colour'],
      nlp: ['review'],
    });
    const why = Object.fromEntries(plan.decisions.map((d) => [d.column, `${d.use}: ${d.reason}`]));
    assert.equal(why.order_id, 'left_out: 100% distinct integers (identifier-like)');
    assert.equal(why.sku, 'left_out: 100% distinct (identifier-like)');
    assert.equal(why.constant, 'left_out: constant (one distinct value)');
    assert.equal(why.empty, 'left_out: no values (all missing)');
    assert.equal(why.label, 'left_out: the target');
    assert.equal(why.rating, 'categorical: integer with 5 distinct values');
    assert.deepEqual(plan.sources, { numerical: 'inferred', categorical: 'inferred', nlp: 'inferred' });
  });

  void it('keeps the thresholds inclusive (ties)', () => {
    const t = new Table([
      long('k', (i) => i % 20),
      long('k21', (i) => i % 21),
      str('label', (i) => `${i % 2}`),
    ]);
    const plan = inferFeaturePlan(t, 'label');
    assert.deepEqual(plan.features.categorical, ['k']);
    assert.deepEqual(plan.features.numerical, ['k21']);
  });

  void it('is the same whatever the row order', () => {
    const t = table();
    const reversed = selectRows(
      t,
      Uint32Array.from({ length: N }, (_, i) => N - 1 - i),
    );
    assert.deepEqual(inferFeaturePlan(reversed, 'label'), inferFeaturePlan(t, 'label'));
  });

  void it('uses a given track as given and infers the others', () => {
    const plan = inferFeaturePlan(table(), 'label', { categorical: ['colour', 'count'] });
    assert.deepEqual(plan.features.categorical, ['count', 'colour']);
    assert.equal(plan.sources.categorical, 'given');
    assert.deepEqual(plan.features.numerical, ['price']);
    const rating = plan.decisions.find((d) => d.column === 'rating');
    assert.match(rating?.reason ?? '', /categorical track is given/);
  });

  void it('names a given column that the table lacks', () => {
    assert.throws(
      () => inferFeaturePlan(table(), 'label', { numerical: ['nope'] }),
      /features\.numerical: column "nope" is not in the table/,
    );
  });
});

void describe('a derived text feature inside the inference pipeline', () => {
  void it('scores raw rows, with the source columns in the input schema', async () => {
    const t = table();
    const spec = {
      target: 'label',
      features: { numerical: ['price'], categorical: [], nlp: ['joined'] },
      tfidf: { max_features: 5 },
      random_forest: { n_estimators: 5, random_state: 1, n_jobs: 1 },
      text_features: [{ name: 'joined', columns: ['colour', 'review'], separator: ' ' }],
    };
    const pipe = await fitInferencePipeline(t, spec);
    assert.deepEqual(
      pipe.inputSchema.map((c) => c.name),
      ['price', 'colour', 'review'],
    );
    const raw = t.select(['price', 'colour', 'review']);
    const joined = raw.withColumn({
      name: 'joined',
      type: 'string',
      values: raw.strings('colour').map((c, i) => `${c} ${raw.strings('review')[i]}`),
    });
    // Rows that already carry the joined column (as preprocess made them before) score the same.
    assert.deepEqual(pipe.predictProba(raw), pipe.predictProba(joined));
  });
});
