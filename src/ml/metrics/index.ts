export { accuracy, confusionMatrix, normalizeConfusionMatrix, macroF1, logLoss } from './classification';
export type { Labels } from './classification';
export { binaryRocAuc, rocAuc } from './roc-auc';
export type { MultiClass } from './roc-auc';
