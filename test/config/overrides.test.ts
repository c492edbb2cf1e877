import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyOverrides, ConfigError, parseOverrideValue } from '../../src/config';

const value = (text: string): unknown => {
  const parsed = parseOverrideValue(text);
  assert.equal(parsed.kind, 'value', `${text} parsed as a sweep`);
  return parsed.kind === 'value' ? parsed.value : undefined;
};

void describe('override values are typed as Hydra types them', () => {
  void it('ints, floats, booleans and null', () => {
    assert.equal(value('42'), 42);
    assert.equal(value('-3'), -3);
    assert.equal(value('1_000'), 1000);
    assert.equal(value('007'), '007'); // not an int in Hydra's grammar
    assert.equal(value('0.5'), 0.5);
    assert.equal(value('.5'), 0.5);
    assert.equal(value('1.'), 1);
    assert.equal(value('1e-3'), 0.001);
    assert.equal(value('-inf'), -Infinity);
    assert.ok(Number.isNaN(value('nan')));
    assert.equal(value('true'), true);
    assert.equal(value('False'), false);
    assert.equal(value('null'), null);
    assert.equal(value('NULL'), null);
  });

  void it('strings: quoted, unquoted, escaped, and URLs verbatim', () => {
    assert.equal(value('gini'), 'gini');
    assert.equal(value("'42'"), '42');
    assert.equal(value("'a,b'"), 'a,b');
    assert.equal(value('"it\\"s"'), 'it"s');
    assert.equal(value('a\\,b'), 'a,b');
    assert.equal(value('hello world'), 'hello world');
    assert.equal(value(''), '');
    assert.equal(value('https://host/x.parquet?raw=true'), 'https://host/x.parquet?raw=true');
    assert.equal(value('s3://bucket/key.csv'), 's3://bucket/key.csv');
  });

  void it('lists and dicts, nested', () => {
    assert.deepEqual(value('[1,2,3]'), [1, 2, 3]);
    assert.deepEqual(value('[]'), []);
    assert.deepEqual(value("[a, 'b,c', [1, null], {k: v}]"), ['a', 'b,c', [1, null], { k: 'v' }]);
    assert.deepEqual(value('{a: 1, b: [x, y], "c d": {e: true}}'), {
      a: 1,
      b: ['x', 'y'],
      'c d': { e: true },
    });
    assert.deepEqual(value('{}'), {});
  });

  void it('rejects malformed containers', () => {
    assert.throws(() => parseOverrideValue('[1,2'), /unbalanced/);
    assert.throws(() => parseOverrideValue("'open"), /unterminated/);
    assert.throws(() => parseOverrideValue('{a 1}'), /expected :/);
  });
});

void describe('applyOverrides', () => {
  const base = () => ({
    data: { test_size: 0.3, stratify: 'genre' as string | null },
    rf: { params: { max_depth: 13, class_weight: 'balanced' } },
    list: [10, 20, 30],
  });

  void it('changes existing keys with typed values, leaving the input untouched', () => {
    const input = base();
    const out = applyOverrides(input, [
      'data.test_size=0.25',
      'data.stratify=null',
      'list=[1,2]',
      'list.0=5',
    ]);
    assert.deepEqual(out.data, { test_size: 0.25, stratify: null });
    assert.deepEqual(out.list, [5, 2]);
    assert.deepEqual(input, base());
  });

  void it('a dict value merges into an existing dict (Hydra merge)', () => {
    const out = applyOverrides(base(), ['rf.params={max_depth: 5}']);
    assert.deepEqual(out.rf, { params: { max_depth: 5, class_weight: 'balanced' } });
  });

  void it('refuses to change a key that does not exist, suggesting the close one and the + form', () => {
    assert.throws(
      () => applyOverrides(base(), ['data.test_sise=0.2']),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message.includes('no key data.test_sise') &&
        err.message.includes('did you mean data.test_size?') &&
        err.message.includes('+data.test_sise=0.2'),
    );
    assert.throws(() => applyOverrides(base(), ['nope.x=1']), /no key nope/);
    assert.throws(
      () => applyOverrides(base(), ['data.test_size.x=1']),
      /data\.test_size is the value 0\.3, not a section/,
    );
  });

  void it('+ adds a new key (with its parents) and refuses an existing one', () => {
    const out = applyOverrides(base(), ['+data.target=genre', '+extra.deep.key=[1]']);
    assert.equal((out.data as Record<string, unknown>).target, 'genre');
    assert.deepEqual(out.extra, { deep: { key: [1] } });
    assert.throws(
      () => applyOverrides(base(), ['+data.test_size=0.1']),
      /already set; to change it, write data\.test_size=0\.1/,
    );
  });

  void it('++ adds or changes', () => {
    const out = applyOverrides(base(), ['++data.test_size=0.1', '++data.new=x']);
    assert.deepEqual(out.data, { test_size: 0.1, stratify: 'genre', new: 'x' });
  });

  void it('~ deletes, optionally only when the value matches', () => {
    const out = applyOverrides(base(), ['~data.stratify', '~rf.params.max_depth=13']);
    assert.deepEqual(out.data, { test_size: 0.3 });
    assert.deepEqual(out.rf, { params: { class_weight: 'balanced' } });
    assert.throws(() => applyOverrides(base(), ['~rf.params.max_depth=7']), /is 13, not 7/);
    assert.throws(() => applyOverrides(base(), ['~data.nothing']), /no key data\.nothing to delete/);
  });

  void it('rejects a sweep, a missing value and a malformed key, reporting every bad override at once', () => {
    assert.throws(
      () => applyOverrides(base(), ['data.test_size=0.1,0.2', 'data.stratify', '1bad=2']),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.issues.length, 3);
        assert.match(err.message, /make a sweep; run it with `mlpipe sweep`/);
        assert.match(err.message, /missing =value/);
        assert.match(err.message, /invalid override "1bad=2"/);
        return true;
      },
    );
  });
});
