export { exportModel, loadModelExport, modelUuid, FLAVOR } from './export';
export type { ExportOptions, ExportResult, LoadedExport } from './export';
export { enforceSignature, signatureOf, parseSignatureInputs, SignatureError } from './signature';
export type { ModelSignature, SignatureColumn } from './signature';
export { describeEnvironment, MODEL_PACKAGES } from './environment';
export { ONNX_FILE_NAME, mlflowOnnxFlavors } from './mlflow-flavors';
