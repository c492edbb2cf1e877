/**
 * OrdinalEncoder as ONNX, with the native engine's handling: a category seen at fit time → its index,
 * an unseen one → `unknown_value`, a missing value → NaN.
 * - strings: ai.onnx.ml LabelEncoder (exact string keys); "" (missing) maps to NaN unless "" was a category;
 * - numbers: an exact double comparison with every category (Equal), so no key is rounded to float32.
 */
import { type OrdinalEncoderState } from '../transformers/ordinal-encoder';
import { type ColumnValue, type Constants, OnnxExportError } from './column';
import { type GraphBuilder } from './graph';

export const ML_DOMAIN = 'ai.onnx.ml';

export function convertOrdinalEncoder(
  g: GraphBuilder,
  k: Constants,
  x: ColumnValue,
  state: OrdinalEncoderState,
  column: string,
): ColumnValue {
  const cats = state.categories;
  if (x.elem === 'string') {
    if (!cats.every((c) => typeof c === 'string'))
      throw new OnnxExportError(`column "${column}": numeric categories for a string column`);
    const keys = [...(cats as string[])];
    const values = keys.map((_, i) => i);
    if (!keys.includes('')) {
      keys.push('');
      values.push(NaN);
    }
    // Codes are small integers (exact in float32); the unknown value is checked to be so too.
    if (Math.fround(state.unknown_value) !== state.unknown_value)
      throw new OnnxExportError(
        `column "${column}": unknown_value ${state.unknown_value} is not exact in float32`,
      );
    const codes = g.op(
      'LabelEncoder',
      [x.name],
      {
        keys_strings: { strings: keys },
        values_floats: { floats: values },
        default_float: { float: state.unknown_value },
      },
      ML_DOMAIN,
    );
    return { name: g.op('Cast', [codes], { to: 11 }), elem: 'double', width: 1 };
  }
  if (!cats.every((c) => typeof c === 'number'))
    throw new OnnxExportError(`column "${column}": string categories for a numeric column`);
  const n = cats.length;
  const catRow = g.constant(`${column}_categories`, 'double', [1, n], cats as number[]);
  const index = g.constant(
    `${column}_codes`,
    'double',
    [n, 1],
    cats.map((_, i) => i),
  );
  const hits = g.op('Cast', [g.op('Equal', [x.name, catRow])], { to: 11 }); // [N, n] of 0/1
  const code = g.op('MatMul', [hits, index]); // the index of the one hit, else 0
  const seen = g.op('Greater', [
    g.op('ReduceSum', [hits, g.constant('axis_1', 'int64', [1], [1])], { keepdims: 1 }),
    k.double(0),
  ]);
  const known = g.op('Where', [seen, code, k.double(state.unknown_value)]);
  const missing = g.op('IsNaN', [x.name]);
  return { name: g.op('Where', [missing, k.double(NaN), known]), elem: 'double', width: 1 };
}
