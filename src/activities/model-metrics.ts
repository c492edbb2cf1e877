/** Scoring a fitted pipeline on a labelled table, and seeded splits. */
import {
  accuracy,
  argmaxRows,
  binaryRocAuc,
  confusionMatrix,
  encodeLabels,
  labelStrings,
  logLoss,
  macroF1,
  normalizeConfusionMatrix,
  rocAuc,
  stratifiedSplit,
  type Table,
} from '../ml';

export interface ScoredPipeline {
  readonly classes: readonly string[];
  predictProba(table: Table): Float64Array;
}

export interface ClassificationScores {
  scalars: Record<string, number>;
  confusion: number[][];
  confusionNormalized: number[][];
}

export function classificationMetrics(
  pipeline: ScoredPipeline,
  table: Table,
  target: string,
  prefix: string,
): ClassificationScores {
  const k = pipeline.classes.length;
  const { codes: yTrue } = encodeLabels(labelStrings(table, target), pipeline.classes);
  const proba = pipeline.predictProba(table);
  const yPred = argmaxRows(proba, k);
  const confusion = confusionMatrix(yTrue, yPred, k);
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    scalars: {
      [`${prefix}_auc_ovo`]: round(rocAuc(yTrue, proba, k, 'ovo')),
      [`${prefix}_auc_ovr`]: round(rocAuc(yTrue, proba, k, 'ovr')),
      // Binary targets: the ROC-AUC of the second class (in sorted order), as sklearn's roc_auc_score.
      ...(k === 2
        ? {
            [`${prefix}_roc_auc`]: round(
              binaryRocAuc(
                yTrue,
                proba.filter((_, i) => i % 2 === 1),
              ),
            ),
          }
        : {}),
      [`${prefix}_accuracy`]: round(accuracy(yTrue, yPred)),
      [`${prefix}_macro_f1`]: round(macroF1(yTrue, yPred)),
      [`${prefix}_log_loss`]: round(logLoss(yTrue, proba, k)),
      [`${prefix}_rows`]: table.nRows,
    },
    confusion,
    confusionNormalized: normalizeConfusionMatrix(confusion),
  };
}

/** A seeded split, stratified on a column when one is named (as sklearn's train_test_split). */
export function splitTable(table: Table, testSize: number, stratify: string | null, seed: number) {
  if (stratify) return stratifiedSplit(table, { testSize, stratify, seed });
  // No stratification: a shuffled split is a stratified split over one constant class.
  const all = '__all_rows__';
  const withKey = table.withColumn({
    name: all,
    type: 'string',
    values: new Array<string>(table.nRows).fill('all'),
  });
  const { train, test } = stratifiedSplit(withKey, { testSize, stratify: all, seed });
  const keep = table.names;
  return { train: train.select(keep), test: test.select(keep) };
}
