/**
 * OneHotEncoder (scikit-learn, handle_unknown="ignore"): one 0/1 column per fitted category, in sorted
 * order. An unseen category, or a missing value, encodes as all zeros.
 */
import { type Category, type Values, distinctSorted, isNumeric, stateCategories } from './values';

export interface OneHotEncoderSpec {
  kind: 'one_hot_encoder';
}

export interface OneHotEncoderState {
  kind: 'one_hot_encoder';
  categories: Category[];
}

export class FittedOneHotEncoder {
  readonly kind = 'one_hot_encoder';
  private readonly index: ReadonlyMap<Category, number>;

  constructor(readonly categories: readonly Category[]) {
    this.index = new Map(categories.map((c, i) => [c, i]));
  }

  get width(): number {
    return this.categories.length;
  }

  transform(v: Values, _column: string): Values[] {
    const outs = this.categories.map(() => new Float64Array(v.length));
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      const k = x === null || (isNumeric(v) && Number.isNaN(x)) ? undefined : this.index.get(x as Category);
      if (k !== undefined) outs[k][i] = 1;
    }
    return outs;
  }

  featureNames(column: string): string[] {
    return this.categories.map((c) => `${column}_${c}`);
  }

  toState(): OneHotEncoderState {
    return { kind: this.kind, categories: [...this.categories] };
  }

  static fromState(s: OneHotEncoderState): FittedOneHotEncoder {
    return new FittedOneHotEncoder(stateCategories(s.categories, 'one_hot_encoder categories'));
  }
}

export function fitOneHotEncoder(v: Values, _spec: OneHotEncoderSpec, column: string): FittedOneHotEncoder {
  const categories = distinctSorted(v);
  if (categories.length === 0) throw new Error(`column "${column}": no categories to fit OneHotEncoder`);
  return new FittedOneHotEncoder(categories);
}
