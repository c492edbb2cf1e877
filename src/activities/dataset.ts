/**
 * What a step needs to know about the table it reads that the config may leave to the data: the
 * target column, the stratification column, and the feature plan (given tracks as given, the rest
 * inferred). Every step derives them the same way from the same columns, so they agree.
 */
import type { PipelineConfig } from '../config';
import { inferFeaturePlan, withDerivedColumns, type FeaturePlan, type PipelineSpec, type Table } from '../ml';

/** Column names that are the label when data.target is not set. */
export const CONVENTIONAL_TARGETS = ['target', 'label'] as const;

export function datasetTarget(config: PipelineConfig, table: Table): string {
  const named = config.data.target;
  if (named) {
    if (!table.has(named))
      throw new Error(
        `data.target: column "${named}" is not in the table (columns: ${table.names.join(', ')}); set --set data.target=COLUMN`,
      );
    return named;
  }
  const conventional = CONVENTIONAL_TARGETS.find((c) => table.has(c));
  if (conventional) return conventional;
  throw new Error(
    `data.target is not set and the table has no column named ${CONVENTIONAL_TARGETS.join(' or ')}: set --set data.target=COLUMN (columns: ${table.names.join(', ')})`,
  );
}

/** data.stratify: true = the target, a column name, false / null = none. */
export function stratifyColumn(config: PipelineConfig, target: string): string | null {
  const s = config.data.stratify;
  if (s === true) return target;
  return typeof s === 'string' ? s : null;
}

function textFeatures(config: PipelineConfig): NonNullable<PipelineSpec['text_features']> {
  const tf = config.preprocess.text_feature;
  return tf ? [{ name: tf.name, columns: [...tf.columns], separator: tf.separator }] : [];
}

/** The feature plan for `table`; a text feature's source columns feed only the text feature. */
export function featurePlan(config: PipelineConfig, table: Table, target = datasetTarget(config, table)) {
  const derived = textFeatures(config);
  const full = withDerivedColumns(table, { text_features: derived } as PipelineSpec);
  const sources = new Set(derived.flatMap((t) => t.columns));
  const given = config.random_forest_pipeline.features;
  const plan = inferFeaturePlan(full.select(full.names.filter((n) => !sources.has(n))), target, given);
  for (const t of derived) {
    for (const c of t.columns)
      plan.decisions.push({ column: c, use: 'left_out', reason: `a source of the text feature ${t.name}` });
  }
  return plan;
}

/** The train step's model spec: the plan's tracks, the forest settings, the derived text features. */
export function modelSpec(config: PipelineConfig, plan: FeaturePlan): PipelineSpec {
  const rf = config.random_forest_pipeline;
  const derived = textFeatures(config);
  return {
    target: plan.target,
    features: plan.features,
    tfidf: rf.tfidf,
    // config resolves random_state: null to main.random_seed, so every run is reproducible.
    random_forest: forestParams(config),
    ...(derived.length ? { text_features: derived } : {}),
  };
}

/**
 * The forest's settings as the model records them: random_forest less `shards`, which says how the
 * fit is spread over workers and never changes the model (so a sharded model is the unsharded one).
 */
export function forestParams(config: PipelineConfig): Record<string, unknown> {
  const { shards: _shards, ...forest } = config.random_forest_pipeline.random_forest;
  return forest;
}
