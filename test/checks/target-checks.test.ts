/**
 * check_data's target rules for every label type: integer, boolean (read as true/false text) and
 * string labels each need a label in every row and two classes, and the failure names the column and
 * the rows; the stratified split names the class that is too small and how to fix it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runDeterministicChecks, type CheckSpec } from '../../src/checks/data-checks';
import { readTable, stratifiedSplit, type Table } from '../../src/ml';

const NO_RULES: CheckSpec = { min_rows: 1, required_columns: {}, known_classes: null, ranges: {} };

void describe('target checks', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlpipe-target-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function table(csv: string): Promise<Table> {
    const file = join(dir, `t${Math.random().toString(36).slice(2)}.csv`);
    await writeFile(file, csv);
    return readTable(file, { naValues: [''] });
  }

  void it('passes integer and boolean targets with two classes', async () => {
    const ints = await table('x,y\n1,0\n2,1\n3,0\n4,1\n');
    assert.deepEqual(runDeterministicChecks(ints, NO_RULES, 'y'), []);
    const bools = await table('x,ok\n1,true\n2,false\n3,true\n');
    assert.deepEqual(runDeterministicChecks(bools, NO_RULES, 'ok'), []);
  });

  void it('names the rows of an integer target without a label', async () => {
    const t = await table('x,y\n1,0\n2,\n3,1\n4,\n5,1\n');
    const failures = runDeterministicChecks(t, NO_RULES, 'y');
    assert.equal(failures.length, 1);
    assert.equal(failures[0].check, 'target_missing');
    assert.equal(failures[0].column, 'y');
    assert.equal(failures[0].found, '2 missing, at row 2, row 4');
  });

  void it('refuses a boolean target with a single class, naming it', async () => {
    const t = await table('x,ok\n1,true\n2,true\n3,true\n');
    const [failure] = runDeterministicChecks(t, NO_RULES, 'ok');
    assert.equal(failure.check, 'class_count');
    assert.equal(failure.found, '1 ("true")');
  });

  void it('lists unknown classes of a numeric target against known_classes', async () => {
    const t = await table('x,y\n1,0\n2,1\n3,2\n');
    const [failure] = runDeterministicChecks(t, { ...NO_RULES, known_classes: ['0', '1'] }, 'y');
    assert.equal(failure.check, 'class_names');
    assert.equal(failure.found, 'unknown "2"');
  });

  void it('names a class too small for a stratified split, and the fix', async () => {
    const t = await table('x,y\n1,a\n2,a\n3,b\n4,b\n5,c\n6,a\n7,b\n');
    assert.throws(
      () => stratifiedSplit(t, { stratify: 'y', testSize: 0.3, seed: 1 }),
      /stratify column "y": class "c" has only 1 row; .*data\.stratify=false/,
    );
  });
});
