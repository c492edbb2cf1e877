export {
  serializeModel,
  deserializeModel,
  saveModel,
  loadModel,
  modelDigest,
  MODEL_FILE_NAME,
} from './model-file';
export { FORMAT_VERSION, FORMAT_NAME, MAGIC, packModel, unpackModel } from './format';
export type { ArrayEntry, DType, UnpackedModel } from './format';
