import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSweep, parseSweep } from '../../src/config';

const values = (override: string): string[] =>
  parseSweep([override]).map(([o]) => o.slice(o.indexOf('=') + 1));

void describe('parseSweep (Hydra multirun)', () => {
  void it('expands comma lists', () => {
    assert.deepEqual(parseSweep(['a.b=5,10,20']), [['a.b=5'], ['a.b=10'], ['a.b=20']]);
    assert.deepEqual(values('k=gini, entropy'), ['gini', 'entropy']);
    assert.deepEqual(values('k=[1,2],[3,4]'), ['[1,2]', '[3,4]']);
  });

  void it('expands range() with the stop excluded, over ints and floats, up and down', () => {
    assert.deepEqual(values('k=range(1,5)'), ['1', '2', '3', '4']);
    assert.deepEqual(values('k=range(0,10,2)'), ['0', '2', '4', '6', '8']);
    assert.deepEqual(values('k=range(3)'), ['0', '1', '2']);
    assert.deepEqual(values('k=range(5,0,-2)'), ['5', '3', '1']);
    assert.deepEqual(values('k=range(0.1, 0.4, 0.1)'), ['0.1', '0.2', '0.3']);
  });

  void it('expands choice()', () => {
    assert.deepEqual(values("k=choice(gini, 'log_loss', null)"), ['gini', "'log_loss'", 'null']);
  });

  void it('keeps single values and quoted commas as they are', () => {
    assert.deepEqual(parseSweep(['x=1', "s='a,b'", '~z', '+n.m=[1,2]']), [
      ['x=1', "s='a,b'", '~z', '+n.m=[1,2]'],
    ]);
    assert.equal(isSweep(["s='a,b'", 'l=[1,2]']), false);
    assert.equal(isSweep(['x=1', 'y=1,2']), true);
  });

  void it('returns the cartesian product, the first swept key varying slowest, prefixes kept', () => {
    assert.deepEqual(parseSweep(['a=1,2', 'fixed=x', '+b=range(0,3)']), [
      ['a=1', 'fixed=x', '+b=0'],
      ['a=1', 'fixed=x', '+b=1'],
      ['a=1', 'fixed=x', '+b=2'],
      ['a=2', 'fixed=x', '+b=0'],
      ['a=2', 'fixed=x', '+b=1'],
      ['a=2', 'fixed=x', '+b=2'],
    ]);
    assert.deepEqual(parseSweep([]), [[]]);
  });

  void it('rejects a zero step, an empty range and sampling sweeps', () => {
    assert.throws(() => parseSweep(['k=range(1,5,0)']), /step must not be 0/);
    assert.throws(() => parseSweep(['k=range(5,1)']), /is empty/);
    assert.throws(() => parseSweep(['k=range(a,3)']), /takes numbers/);
    assert.throws(() => parseSweep(['k=interval(0,1)']), /sampling sweeper/);
  });
});
