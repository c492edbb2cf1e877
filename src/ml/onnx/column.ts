/**
 * What flows between the converted steps of one column: a tensor of shape [N, width], numbers as
 * double (NaN = missing) or strings ("" = missing, since an ONNX string tensor has no null).
 */
import { type GraphBuilder } from './graph';

export interface ColumnValue {
  name: string;
  elem: 'double' | 'string';
  width: number;
}

/** Why a model cannot be written as ONNX, with what to do instead. */
export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
}

/**
 * x ∈ values, as a bool tensor of x's shape. (ai.onnx's Equal takes strings only from opset 19;
 * ai.onnx.ml's LabelEncoder maps strings in every ONNX Runtime.)
 */
export function stringIn(g: GraphBuilder, x: string, values: readonly string[]): string {
  const flag = g.op(
    'LabelEncoder',
    [x],
    {
      keys_strings: { strings: values },
      values_floats: { floats: values.map(() => 1) },
      default_float: { float: 0 },
    },
    'ai.onnx.ml',
  );
  return g.op('Cast', [flag], { to: 9 });
}

/** Shared constants of a graph, made once. */
export class Constants {
  private readonly made = new Map<string, string>();
  constructor(private readonly g: GraphBuilder) {}

  /** The shape [-1, 1]: one column of N rows. */
  get columnShape(): string {
    return this.once('shape_n_1', () => this.g.constant('shape_n_1', 'int64', [2], [-1, 1]));
  }

  /** The shape [-1]: a vector of N values. */
  get vectorShape(): string {
    return this.once('shape_n', () => this.g.constant('shape_n', 'int64', [1], [-1]));
  }

  get emptyString(): string {
    return this.once('empty_string', () => this.g.constant('empty_string', 'string', [], ['']));
  }

  double(value: number): string {
    return this.once(`double_${value}`, () => this.g.constant('c', 'double', [], [value]));
  }

  private once(key: string, make: () => string): string {
    let v = this.made.get(key);
    if (v === undefined) {
      v = make();
      this.made.set(key, v);
    }
    return v;
  }
}
