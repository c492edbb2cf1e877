/** Turning the config into a pipeline spec, and scoring a fitted pipeline on a labelled table. */
import type { PipelineConfig } from '../config';
import { accuracy, confusionMatrix, logLoss, macroF1, rocAucOvo, type Table } from '../ml';

export function pipelineSpec(config: PipelineConfig) {
  const rf = config.random_forest_pipeline;
  return {
    target: config.data.target,
    features: rf.features,
    tfidf: rf.tfidf,
    // random_state: null in the reference means "unseeded"; here it falls back to main.random_seed (reproducible).
    random_forest: { ...rf.random_forest, random_state: rf.random_forest.random_state ?? config.main.random_seed },
  };
}

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
  const yTrue = table.strings(target).map((v, i) => {
    if (v === null) throw new Error(`column "${target}" row ${i + 1}: missing label`);
    return v;
  });
  const classes = [...pipeline.classes];
  const proba = pipeline.predictProba(table);
  const k = classes.length;
  const yPred = yTrue.map((_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c] > proba[i * k + best]) best = c;
    return classes[best];
  });
  const confusion = confusionMatrix(yTrue, yPred, classes);
  const confusionNormalized = confusion.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    scalars: {
      [`${prefix}_auc_ovo`]: round(rocAucOvo(yTrue, proba, classes)),
      [`${prefix}_accuracy`]: round(accuracy(yTrue, yPred)),
      [`${prefix}_macro_f1`]: round(macroF1(yTrue, yPred, classes)),
      [`${prefix}_log_loss`]: round(logLoss(yTrue, proba, classes)),
      [`${prefix}_rows`]: table.nRows,
    },
    confusion,
    confusionNormalized,
  };
}
