/**
 * OrdinalEncoder (scikit-learn): each category's index in the sorted fitted categories. A category
 * unseen at fit time encodes as `unknown_value` (default -1, like sklearn's
 * handle_unknown="use_encoded_value", unknown_value=-1); a missing value stays NaN.
 */
import {
  type Category,
  type Values,
  distinctSorted,
  isNumeric,
  stateCategories,
  stateNumber,
} from './values';

export interface OrdinalEncoderSpec {
  kind: 'ordinal_encoder';
  unknown_value?: number;
}

export interface OrdinalEncoderState {
  kind: 'ordinal_encoder';
  categories: Category[];
  unknown_value: number;
}

export const DEFAULT_UNKNOWN_VALUE = -1;

export class FittedOrdinalEncoder {
  readonly kind = 'ordinal_encoder';
  readonly width = 1;
  private readonly index: ReadonlyMap<Category, number>;

  constructor(
    readonly categories: readonly Category[],
    readonly unknownValue: number,
  ) {
    this.index = new Map(categories.map((c, i) => [c, i]));
  }

  transform(v: Values, _column: string): Values[] {
    const out = new Float64Array(v.length);
    if (isNumeric(v)) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        out[i] = Number.isNaN(x) ? NaN : (this.index.get(x) ?? this.unknownValue);
      }
    } else {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        out[i] = x === null ? NaN : (this.index.get(x) ?? this.unknownValue);
      }
    }
    return [out];
  }

  featureNames(column: string): string[] {
    return [column];
  }

  toState(): OrdinalEncoderState {
    return { kind: this.kind, categories: [...this.categories], unknown_value: this.unknownValue };
  }

  static fromState(s: OrdinalEncoderState): FittedOrdinalEncoder {
    return new FittedOrdinalEncoder(
      stateCategories(s.categories, 'ordinal_encoder categories'),
      stateNumber(s.unknown_value, 'ordinal_encoder unknown_value'),
    );
  }
}

export function fitOrdinalEncoder(v: Values, spec: OrdinalEncoderSpec, column: string): FittedOrdinalEncoder {
  const categories = distinctSorted(v);
  if (categories.length === 0) throw new Error(`column "${column}": no categories to fit OrdinalEncoder`);
  return new FittedOrdinalEncoder(categories, spec.unknown_value ?? DEFAULT_UNKNOWN_VALUE);
}
