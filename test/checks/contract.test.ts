/**
 * The data contract on small hand-made tables: what is inferred (types, ranges, classes, missing
 * shares, an all-missing column) and one violation of each kind on later data, with the tolerances.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/ml';
import { checkContract, inferContract, allowedRange, type GivenRules } from '../../src/checks/contract';

const DATASET = { ref: 'preprocessed_data:v0', digest: 'abc' };
const NONE: GivenRules = { required_columns: {}, known_classes: null, ranges: {} };

/** 40 rows: a fractional measure, a small integer code, a colour, an id, a gap column, the label. */
function referenceCsv(): string {
  const lines = ['score,code,colour,id,gap,label'];
  for (let i = 0; i < 40; i++) {
    const score = i % 10 === 0 ? '' : String(1 + (i % 20) * 0.5); // 10% missing, range [1, 10.5]
    lines.push(
      [score, i % 3, ['red', 'green', 'blue'][i % 3], 1000 + i, '', i % 2 ? 'cat' : 'dog'].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

function contract() {
  return inferContract(parseCsv(referenceCsv()), 'label', DATASET);
}

function checks(csv: string, given: GivenRules = NONE) {
  return checkContract(parseCsv(csv), contract(), given);
}

/** The reference table with `edit(cells, i)` applied to each data row. */
function edited(edit: (cells: string[], i: number) => void): string {
  const [head, ...rows] = referenceCsv().trim().split('\n');
  return (
    [
      head,
      ...rows.map((r, i) => {
        const cells = r.split(',');
        edit(cells, i);
        return cells.join(',');
      }),
    ].join('\n') + '\n'
  );
}

void describe('data contract inference', () => {
  void it('records types, roles by the plan rules, observed ranges, classes and missing shares', () => {
    const c = contract();
    assert.equal(c.dataset, 'preprocessed_data:v0');
    assert.equal(c.rows, 40);
    const by = Object.fromEntries(c.columns.map((col) => [col.name, col]));
    assert.deepEqual(by.score, {
      name: 'score',
      type: 'number',
      role: 'numerical',
      missingShare: 0.1,
      range: { min: 1.5, max: 10.5 },
    });
    assert.deepEqual(by.code, {
      name: 'code',
      type: 'integer',
      role: 'categorical',
      missingShare: 0,
      classes: [0, 1, 2],
    });
    assert.deepEqual(by.colour.classes, ['blue', 'green', 'red']);
    assert.equal(by.colour.type, 'string');
    // Identifiers get no range (new ids are expected), as the plan leaves them out.
    assert.deepEqual(by.id, { name: 'id', type: 'integer', role: 'identifier', missingShare: 0 });
    assert.deepEqual(by.gap, { name: 'gap', type: 'unknown', role: 'empty', missingShare: 1 });
    assert.deepEqual(by.label, {
      name: 'label',
      type: 'string',
      role: 'target',
      missingShare: 0,
      classes: ['cat', 'dog'],
    });
  });

  void it('does not depend on row order', () => {
    const [head, ...rows] = referenceCsv().trim().split('\n');
    const shuffled = [head, ...rows.reverse()].join('\n');
    assert.deepEqual(inferContract(parseCsv(shuffled), 'label', DATASET), contract());
  });

  void it('passes the data it was inferred from', () => {
    const r = checks(referenceCsv());
    assert.deepEqual(r.violations, []);
    assert.deepEqual(r.notes, []);
    assert.ok(r.rules >= 15, `rules ${r.rules}`);
  });
});

void describe('data contract check', () => {
  void it('fails a missing contract column', () => {
    const csv = referenceCsv()
      .split('\n')
      .map((l) =>
        l
          .split(',')
          .filter((_, j) => j !== 2)
          .join(','),
      )
      .join('\n');
    const r = checks(csv);
    assert.deepEqual(
      r.violations.map((v) => [v.check, v.column, v.found]),
      [['contract_column', 'colour', 'missing']],
    );
    assert.match(r.violations[0].expected, /a string column \(data contract of preprocessed_data:v0\)/);
  });

  void it('fails a type change, naming the first bad cell, and lets an all-missing column be any type', () => {
    const r = checks(
      edited((c, i) => {
        if (i === 4) c[0] = 'high';
        c[4] = 'x'; // the all-missing column now has text: its type was unknown, so this is fine
      }),
    );
    assert.deepEqual(
      r.violations.map((v) => [v.check, v.column]),
      [['contract_type', 'score']],
    );
    assert.equal(r.violations[0].found, 'string ("high" at row 5)');
    assert.match(r.violations[0].expected, /check_data\.required_columns\.score overrides/);
  });

  void it('fails values outside the observed range widened by 10% of its span, never below zero', () => {
    assert.deepEqual(allowedRange({ min: 1.5, max: 10.5 }, 0.1), { lo: 0.6, hi: 11.4 });
    assert.deepEqual(allowedRange({ min: 0, max: 1 }, 0.1), { lo: 0, hi: 1.1 });
    assert.deepEqual(allowedRange({ min: -5, max: -1 }, 0.1), { lo: -5.4, hi: -0.6 });
    const inside = checks(
      edited((c, i) => {
        if (i === 1) c[0] = '11.3';
      }),
    );
    assert.deepEqual(inside.violations, []);
    const r = checks(
      edited((c, i) => {
        if (i === 2 || i === 3) c[0] = '12';
      }),
    );
    assert.deepEqual(
      r.violations.map((v) => [v.check, v.column, v.found]),
      [['contract_range', 'score', '2 rows outside, first 12 at row 3']],
    );
    assert.match(
      r.violations[0].expected,
      /^\[0\.6, 11\.4\] \(observed \[1\.5, 10\.5\] in preprocessed_data:v0/,
    );
  });

  void it('fails any unseen target class, and an unseen categorical value only above 1% of rows', () => {
    const r = checks(
      edited((c, i) => {
        if (i === 0) c[5] = 'bird';
        if (i < 4) c[2] = 'purple'; // 10% of the rows
      }),
    );
    assert.deepEqual(
      r.violations.map((v) => [v.check, v.column, v.found]),
      [
        ['contract_classes', 'colour', 'unseen "purple" in 4 rows (10%)'],
        ['contract_classes', 'label', 'unseen "bird" in 1 rows (2.5%)'],
      ],
    );
    // One rare new value in 200 rows is a note, not a failure.
    const big = [
      referenceCsv().trim(),
      ...Array.from({ length: 160 }, (_, i) => `2,1,${i === 0 ? 'teal' : 'red'},${2000 + i},,cat`),
    ].join('\n');
    const rare = checks(big);
    assert.deepEqual(rare.violations, []);
    assert.deepEqual(rare.notes, ['colour: unseen "teal" in 1 rows (0.5%), within the 1% allowed']);
  });

  void it('fails a missing share above the contract’s by more than 5 points, and notes new columns', () => {
    const ok = checks(
      edited((c, i) => {
        if (i === 1 || i === 2) c[1] = '';
      }),
    ); // 5% in a column with 0%
    assert.deepEqual(ok.violations, []);
    const r = checks(
      edited((c, i) => {
        if (i < 3) c[1] = '';
        c.push(String(i));
      }).replace('label\n', 'label,extra\n'),
    );
    assert.deepEqual(
      r.violations.map((v) => [v.check, v.column, v.found, v.expected]),
      [
        [
          'contract_missing',
          'code',
          '7.5% missing (3 rows)',
          '≤ 5% missing (0% in preprocessed_data:v0 + 5%)',
        ],
      ],
    );
    assert.deepEqual(r.notes, [
      'extra: a new column, not in the contract of preprocessed_data:v0 (not checked)',
    ]);
  });

  void it('leaves the rules the config gives to the explicit checks', () => {
    const csv = edited((c, i) => {
      if (i === 0) c[0] = '99';
      if (i === 0) c[5] = 'bird';
      if (i === 1) c[2] = '7';
    });
    const given: GivenRules = {
      required_columns: { colour: 'string' },
      known_classes: ['cat', 'dog', 'bird'],
      ranges: { score: { max: 100 } },
    };
    const r = checks(csv, given);
    assert.deepEqual(r.given.sort(), [
      'check_data.known_classes',
      'check_data.ranges.score',
      'check_data.required_columns.colour',
    ]);
    // colour's type rule is given, but its classes are still the contract's: "7" is unseen (2.5% > 1%).
    assert.deepEqual(
      r.violations.map((v) => [v.check, v.column]),
      [['contract_classes', 'colour']],
    );
    assert.ok(checks(csv).rules > r.rules);
  });
});
