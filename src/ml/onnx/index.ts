export { OnnxExportError } from './column';
export {
  type OnnxExport,
  ONNX_OPSETS,
  PREDICTION_OUTPUT,
  PROBA_OUTPUT_PREFIX,
  pipelineToOnnx,
} from './pipeline';
