/** SimpleImputer as ONNX: numbers Where(IsNaN(x), fill, x); strings Where(x == "", fill, x). */
import { type SimpleImputerState } from '../transformers/simple-imputer';
import { type ColumnValue, type Constants, OnnxExportError, stringIn } from './column';
import { type GraphBuilder } from './graph';

export function convertImputer(
  g: GraphBuilder,
  k: Constants,
  x: ColumnValue,
  state: SimpleImputerState,
  column: string,
): ColumnValue {
  if (x.elem === 'double') {
    if (typeof state.fill !== 'number')
      throw new OnnxExportError(`column "${column}": a string fill value for a numeric column`);
    const missing = g.op('IsNaN', [x.name]);
    const fill = g.constant(`${column}_fill`, 'double', [], [state.fill]);
    return { ...x, name: g.op('Where', [missing, fill, x.name]) };
  }
  if (typeof state.fill !== 'string')
    throw new OnnxExportError(`column "${column}": a numeric fill value for a string column`);
  // A missing string arrives as "": filling it with "" changes nothing.
  if (state.fill === '') return x;
  const missing = stringIn(g, x.name, ['']);
  const fill = g.constant(`${column}_fill`, 'string', [], [state.fill]);
  return { ...x, name: g.op('Where', [missing, fill, x.name]) };
}
