/**
 * The ML library's public surface: tables, transformers, the inference pipeline, engines, metrics,
 * statistics, the model file and the MLflow-layout export. Activities, the CLI, the scoring server
 * and the bench import from here (re-exports by name; internals stay internal).
 */

// Shared classifier contract
export type {
  ClassifierEngine,
  EngineName,
  FeatureMatrix,
  FitOptions,
  FitProgress,
  FittedClassifier,
  ModelArray,
  ModelData,
} from './classifier';

// Tables
export {
  Table,
  isNumericType,
  DEFAULT_NA_VALUES,
  parseNumber,
  parseCsv,
  readCsv,
  formatCsv,
  writeCsv,
  writeParquet,
  parseParquet,
  readParquet,
  readTable,
  selectRows,
  uniqueRowIndices,
  dropDuplicates,
  concatTables,
  addTextFeature,
  tableFromRecords,
  tableFromSplit,
  tableToSplit,
  tableToRecords,
  stratifiedSplit,
} from './table/index';
export type {
  Column,
  ColumnSpec,
  ColumnType,
  NumericColumn,
  StringColumn,
  CsvReadOptions,
  ParquetReadOptions,
  ReadTableOptions,
  TextFeatureOptions,
  RecordsOptions,
  SplitFrame,
  StratifiedSplitOptions,
  SplitResult,
} from './table/index';

// Transformers
export {
  tokenize,
  fitSimpleImputer,
  fitStandardScaler,
  fitOrdinalEncoder,
  fitOneHotEncoder,
  fitTfidfVectorizer,
  FittedSimpleImputer,
  FittedStandardScaler,
  FittedOrdinalEncoder,
  FittedOneHotEncoder,
  FittedTfidfVectorizer,
  FittedColumnTransformer,
  DEFAULT_UNKNOWN_VALUE,
  fitStep,
  loadStep,
} from './transformers/index';
export type {
  Values,
  Category,
  ImputeStrategy,
  SimpleImputerSpec,
  StandardScalerSpec,
  OrdinalEncoderSpec,
  OneHotEncoderSpec,
  TfidfVectorizerSpec,
  FittedStep,
  StepSpec,
  StepState,
  TrackSpec,
  ColumnTransformerState,
} from './transformers/index';

// Inference pipeline
export {
  InferencePipeline,
  fitInferencePipeline,
  withDerivedColumns,
  validateSpec,
  referenceTracks,
  labelStrings,
  sortedClasses,
  encodeLabels,
  decodeLabels,
  argmaxRows,
  planShardedFit,
  assembleShardedPipeline,
  shardRanges,
} from './pipeline/index';
export type {
  FitPipelineOptions,
  PipelineSpec,
  EncodedLabels,
  PipelineFrame,
  ShardedFitPlan,
} from './pipeline/index';

// Sharded forest fits: the plan, tree ranges built anywhere, and their byte forms
export {
  buildTrees,
  TreeBuilder,
  resolveNJobs,
  encodeForestPlan,
  decodeForestPlan,
  encodeTrees,
  decodeTrees,
} from './forest/index';
export type { ForestPlan, TreeArrays } from './forest/index';

// Feature plans
export {
  DEFAULT_PLAN_THRESHOLDS,
  TRACKS,
  classifyColumn,
  decideColumn,
  formatPlan,
  inferFeaturePlan,
  summarizePlan,
} from './plan/index';
export type {
  ColumnKind,
  FeaturePlan,
  GivenFeatures,
  PlanDecision,
  PlanThresholds,
  Track,
  Use,
} from './plan/index';

// Engines
export { getEngine, isEngineName, ENGINE_NAMES, DEFAULT_ENGINE, mlRandomForestEngine } from './engines/index';

// Metrics and statistics
export {
  accuracy,
  confusionMatrix,
  normalizeConfusionMatrix,
  macroF1,
  logLoss,
  binaryRocAuc,
  rocAuc,
} from './metrics/index';
export type { Labels, MultiClass } from './metrics/index';
export { ks2samp, kolmogornSf, smirnovSf } from './stats/index';
export type { KsResult, KsMethod, NanPolicy } from './stats/index';

// Model file and export
export {
  serializeModel,
  deserializeModel,
  saveModel,
  loadModel,
  modelDigest,
  MODEL_FILE_NAME,
  FORMAT_VERSION,
} from './model-file/index';
export {
  exportModel,
  loadModelExport,
  modelUuid,
  FLAVOR,
  enforceSignature,
  signatureOf,
  parseSignatureInputs,
  SignatureError,
  describeEnvironment,
  ONNX_FILE_NAME,
} from './model-export/index';
export { OnnxExportError, pipelineToOnnx, PREDICTION_OUTPUT, PROBA_OUTPUT_PREFIX } from './onnx/index';
export type { OnnxExport } from './onnx/index';
export type {
  ExportOptions,
  ExportResult,
  LoadedExport,
  ModelSignature,
  SignatureColumn,
} from './model-export/index';
