/**
 * ColumnTransformer (scikit-learn, remainder="drop"): named tracks, each a chain of steps applied to
 * each of its columns independently; outputs are concatenated track by track, column by column.
 * Feature names follow sklearn's get_feature_names_out: `track__name`.
 */
import { type FeatureMatrix } from '../classifier';
import { type ColumnSpec, type Table } from '../table/table';
import { type FittedStep, type StepSpec, type StepState, fitTransformStep, loadStep } from './step';
import { type Values } from './values';

export interface TrackSpec {
  name: string;
  columns: readonly string[];
  steps: readonly StepSpec[];
  /** The column kind this track accepts; default: whatever the training table has. */
  accepts?: 'numeric' | 'string';
}

interface FittedColumn {
  column: string;
  kind: 'numeric' | 'string';
  steps: FittedStep[];
  width: number;
}

export interface ColumnTransformerState {
  tracks: {
    name: string;
    columns: { column: string; kind: 'numeric' | 'string'; steps: StepState[] }[];
  }[];
}

function inputValues(table: Table, column: string, kind: 'numeric' | 'string'): Values {
  if (!table.has(column)) throw new Error(`missing feature column "${column}"`);
  const c = table.column(column);
  if (kind === 'numeric' && c.type === 'string') {
    throw new Error(`feature column "${column}" must be numeric (double or long), got string`);
  }
  if (kind === 'string' && c.type !== 'string') {
    // A column with no value at all has no type of its own (a reader calls it numeric): as text it
    // is all missing.
    if (c.values.every((v) => v !== v)) return new Array<null>(c.values.length).fill(null);
    throw new Error(`feature column "${column}" must be string, got ${c.type}`);
  }
  return c.values;
}

function runChain(steps: readonly FittedStep[], v: Values, column: string): Values[] {
  let cur = v;
  for (let s = 0; s < steps.length - 1; s++) cur = steps[s].transform(cur, column)[0];
  return steps[steps.length - 1].transform(cur, column);
}

/** A chain's final outputs, which must be numbers to be features. */
function numericOutputs(outs: Values[], column: string): Float64Array[] {
  for (const o of outs) {
    if (!(o instanceof Float64Array))
      throw new Error(`column "${column}": the last step must output numbers`);
  }
  return outs as Float64Array[];
}

export class FittedColumnTransformer {
  readonly featureNames: readonly string[];
  readonly inputColumns: readonly string[];

  private constructor(
    private readonly tracks: readonly { name: string; columns: readonly FittedColumn[] }[],
  ) {
    const names: string[] = [];
    const inputs: string[] = [];
    for (const t of tracks) {
      for (const c of t.columns) {
        inputs.push(c.column);
        const last = c.steps[c.steps.length - 1];
        const base = last.featureNames(c.column);
        const multi = t.columns.length > 1 && last.kind === 'tfidf_vectorizer';
        for (const b of base) names.push(`${t.name}__${multi ? `${c.column}_${b}` : b}`);
      }
    }
    this.featureNames = names;
    this.inputColumns = inputs;
  }

  static fit(table: Table, tracks: readonly TrackSpec[]): FittedColumnTransformer {
    return FittedColumnTransformer.fitTransform(table, tracks).transformer;
  }

  /**
   * Fits the tracks and returns the training table's features too, as `transform(table)` would give
   * them: each column's chain runs once, so an intermediate output (e.g. the imputed column that the
   * scaler is fitted on) is computed once instead of again by a second pass.
   */
  static fitTransform(
    table: Table,
    tracks: readonly TrackSpec[],
  ): { transformer: FittedColumnTransformer; X: FeatureMatrix } {
    const features: Float64Array[] = [];
    const fitted = tracks.map((t) => {
      if (t.steps.length === 0) throw new Error(`track "${t.name}" has no steps`);
      const columns = t.columns.map((column): FittedColumn => {
        if (!table.has(column)) throw new Error(`missing feature column "${column}" (track "${t.name}")`);
        const kind = t.accepts ?? (table.column(column).type === 'string' ? 'string' : 'numeric');
        let v = inputValues(table, column, kind);
        const steps: FittedStep[] = [];
        for (let s = 0; s < t.steps.length; s++) {
          const { step, outs } = fitTransformStep(v, t.steps[s], column);
          steps.push(step);
          if (s < t.steps.length - 1) {
            if (step.width !== 1)
              throw new Error(`track "${t.name}": only the last step may output several columns`);
            v = outs[0];
          } else {
            features.push(...numericOutputs(outs, column));
          }
        }
        return { column, kind, steps, width: steps[steps.length - 1].width };
      });
      return { name: t.name, columns };
    });
    const transformer = new FittedColumnTransformer(fitted);
    return { transformer, X: { nRows: table.nRows, columns: features, names: transformer.featureNames } };
  }

  /** The input columns with the kind each accepts (numeric or string). */
  inputKinds(): { column: string; kind: 'numeric' | 'string' }[] {
    return this.tracks.flatMap((t) => t.columns.map((c) => ({ column: c.column, kind: c.kind })));
  }

  transform(table: Table): FeatureMatrix {
    const columns: Float64Array[] = [];
    for (const t of this.tracks) {
      for (const c of t.columns) {
        const outs = runChain(c.steps, inputValues(table, c.column, c.kind), c.column);
        columns.push(...numericOutputs(outs, c.column));
      }
    }
    return { nRows: table.nRows, columns, names: this.featureNames };
  }

  /** Checks a table against the columns and kinds this transformer reads; errors name the column. */
  validate(table: Table): void {
    for (const t of this.tracks) for (const c of t.columns) inputValues(table, c.column, c.kind);
  }

  toState(): ColumnTransformerState {
    return {
      tracks: this.tracks.map((t) => ({
        name: t.name,
        columns: t.columns.map((c) => ({
          column: c.column,
          kind: c.kind,
          steps: c.steps.map((s) => s.toState()),
        })),
      })),
    };
  }

  static fromState(state: ColumnTransformerState): FittedColumnTransformer {
    if (!state || !Array.isArray(state.tracks))
      throw new Error('invalid model state: column transformer tracks');
    return new FittedColumnTransformer(
      state.tracks.map((t) => {
        if (typeof t.name !== 'string' || !Array.isArray(t.columns))
          throw new Error('invalid model state: track');
        return {
          name: t.name,
          columns: t.columns.map((c) => {
            if (typeof c.column !== 'string' || (c.kind !== 'numeric' && c.kind !== 'string')) {
              throw new Error('invalid model state: track column');
            }
            if (!Array.isArray(c.steps) || c.steps.length === 0)
              throw new Error('invalid model state: track steps');
            const steps = c.steps.map(loadStep);
            return { column: c.column, kind: c.kind, steps, width: steps[steps.length - 1].width };
          }),
        };
      }),
    );
  }
}

/** Typing helper for input schemas: which MLflow type each input column had at fit time. */
export function inputSchemaOf(table: Table, columns: readonly string[]): ColumnSpec[] {
  return columns.map((name) => ({ name, type: table.column(name).type }));
}
