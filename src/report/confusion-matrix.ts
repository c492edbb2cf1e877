/** Confusion matrix as a heatmap with a label in every cell (the train and evaluate steps' plot). */
import { BASE_CONFIG, renderPlot, type RenderedPlot } from './render-plot';
import type { TopLevelSpec } from './vega-svg';

export interface ConfusionMatrixOptions {
  title?: string;
  /** Rows are fractions of each true class. Default: detected (every value in [0, 1] and rows summing to 1). */
  normalized?: boolean;
}

interface Cell {
  actual: string;
  predicted: string;
  value: number;
  label: string;
}

/** Cell side in px: 15 classes give a 510 px square, where 10 px labels like `0.93` still fit. */
const CELL = 34;

export function plotConfusionMatrix(
  classes: string[],
  matrix: number[][],
  opts: ConfusionMatrixOptions = {},
): Promise<RenderedPlot> {
  return renderPlot(confusionMatrixSpec(classes, matrix, opts));
}

export function confusionMatrixSpec(
  classes: string[],
  matrix: number[][],
  opts: ConfusionMatrixOptions = {},
): TopLevelSpec {
  validate(classes, matrix);
  const normalized = opts.normalized ?? looksNormalized(matrix);
  const max = normalized ? 1 : Math.max(1, ...matrix.flat());
  const cells: Cell[] = classes.flatMap((actual, i) =>
    classes.map((predicted, j) => {
      const value = matrix[i][j];
      return { actual, predicted, value, label: cellLabel(value, normalized) };
    }),
  );
  const axis = { field: 'actual', type: 'ordinal', sort: classes } as const;
  return {
    title: opts.title ?? (normalized ? 'Confusion matrix (rows normalized)' : 'Confusion matrix (counts)'),
    config: BASE_CONFIG,
    width: { step: CELL },
    height: { step: CELL },
    data: { values: cells },
    encoding: {
      x: {
        field: 'predicted',
        type: 'ordinal',
        sort: classes,
        title: 'Predicted',
        axis: { labelAngle: -45 },
      },
      y: { ...axis, title: 'True' },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            scale: { scheme: 'blues', domain: [0, max] },
            title: normalized ? 'Fraction' : 'Count',
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'label', type: 'nominal' },
          // Dark cells get white text so every label keeps its contrast.
          color: { condition: { test: `datum.value > ${max * 0.5}`, value: 'white' }, value: '#222' },
        },
      },
    ],
  };
}

function validate(classes: string[], matrix: number[][]): void {
  const n = classes.length;
  if (n === 0) throw new Error('plotConfusionMatrix: no classes');
  const seen = new Set<string>();
  for (const c of classes) {
    if (seen.has(c)) throw new Error(`plotConfusionMatrix: class "${c}" is listed twice`);
    seen.add(c);
  }
  if (matrix.length !== n)
    throw new Error(`plotConfusionMatrix: ${n} classes but ${matrix.length} matrix rows`);
  matrix.forEach((row, i) => {
    if (row.length !== n) {
      throw new Error(
        `plotConfusionMatrix: row ${i} ("${classes[i]}") has ${row.length} values, expected ${n}`,
      );
    }
    row.forEach((v, j) => {
      if (!Number.isFinite(v) || v < 0) {
        throw new Error(`plotConfusionMatrix: cell [${i}][${j}] ("${classes[i]}" → "${classes[j]}") is ${v}`);
      }
    });
  });
}

function looksNormalized(matrix: number[][]): boolean {
  return matrix.every((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.every((v) => v <= 1) && (sum === 0 || Math.abs(sum - 1) < 1e-6);
  });
}

/** Zeros print as `0` so the eye finds the non-zero cells; fractions with two decimals, counts as integers. */
function cellLabel(value: number, normalized: boolean): string {
  if (value === 0) return '0';
  return normalized ? value.toFixed(2) : String(Math.round(value));
}
