/** StandardScaler as ONNX: (x − mean) / scale in double, the native engine's operations in its order. */
import { type StandardScalerState } from '../transformers/standard-scaler';
import { type ColumnValue, OnnxExportError } from './column';
import { type GraphBuilder } from './graph';

export function convertScaler(
  g: GraphBuilder,
  x: ColumnValue,
  state: StandardScalerState,
  column: string,
): ColumnValue {
  if (x.elem !== 'double') throw new OnnxExportError(`column "${column}": StandardScaler on a string column`);
  const mean = g.constant(`${column}_mean`, 'double', [], [state.mean]);
  const scale = g.constant(`${column}_scale`, 'double', [], [state.scale]);
  return { ...x, name: g.op('Div', [g.op('Sub', [x.name, mean]), scale]) };
}
