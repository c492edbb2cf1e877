/**
 * The config keys each step reads: the one place that says which settings can change a step's
 * outputs. The step cache keys a step by exactly these values (a section stands for every key in
 * it), so changing `evaluate.min_delta` never invalidates `segregate`. When a step starts reading
 * another key, add it here; test/cache/step-key.test.ts checks that every config leaf is either
 * read by some step or listed in NOT_READ_BY_ANY_STEP.
 */
import type { StepName } from '../contract';

export const STEP_CONFIG_KEYS: Readonly<Record<StepName, readonly string[]>> = {
  // fetchSource + readTable; the source's own content is fingerprinted separately (source-fingerprint.ts).
  get_data: ['data.source', 'data.sample', 'data.na_values'],
  preprocess: ['data.na_values', 'preprocess.drop_duplicates'],
  // The target, the feature plan (its numeric columns get KS tests and contract ranges), the rules.
  check_data: [
    'data.na_values',
    'data.target',
    'data.reference_dataset',
    'data.ks_alpha',
    'check_data',
    'preprocess.text_feature',
    'random_forest_pipeline.features',
  ],
  segregate: ['data.na_values', 'data.target', 'data.stratify', 'data.test_size', 'main.random_seed'],
  train_random_forest: [
    'data.na_values',
    'data.target',
    'data.stratify',
    'data.val_size',
    'main.random_seed',
    'preprocess.text_feature',
    'random_forest_pipeline.random_forest',
    'random_forest_pipeline.tfidf',
    'random_forest_pipeline.features',
    'random_forest_pipeline.export_artifact',
  ],
  // The candidate's scores only: the champion/challenger decision (evaluate.metric, min_delta,
  // promote_alias) is made again on every run, cached or not, because prod may have moved.
  evaluate: ['data.na_values', 'data.target'],
};

/**
 * Keys inside a declared section that cannot change a step's outputs: the forest is byte-identical
 * for any thread count (README, Performance) and any number of shards, and verbosity only logs.
 */
export const OUTPUT_NEUTRAL_KEYS: ReadonlySet<string> = new Set([
  'random_forest_pipeline.random_forest.n_jobs',
  'random_forest_pipeline.random_forest.verbose',
  // A sharded fit exports the model byte-identical to the one-activity fit (README, sharded training).
  'random_forest_pipeline.random_forest.shards',
]);

/**
 * Config keys that no step's outputs depend on: naming, orchestration, where things are stored,
 * and the champion/challenger decision (made again on every run). Projects and stores are part of
 * where cache entries live, not of their keys.
 */
export const NOT_READ_BY_ANY_STEP: readonly string[] = [
  'main.project_name',
  'main.experiment_name',
  'main.execute_steps',
  'evaluate',
  'sweep',
  'steps',
  'storage',
  'temporal',
  // The MLflow sink sends a finished run's record; alias events are delivered after alias moves;
  // garbage collection runs outside the pipeline. None changes a step's outputs.
  'tracking',
  'events',
  'gc',
];

/** The value at a dotted path (undefined when absent). */
function valueAt(config: unknown, path: string): unknown {
  let cur: unknown = config;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Leaves of a value as dotted paths; arrays and empty objects are leaves. */
export function flattenLeaves(prefix: string, value: unknown, out: Record<string, unknown> = {}) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      flattenLeaves(prefix ? `${prefix}.${k}` : k, v, out);
  } else {
    out[prefix] = value === undefined ? null : value;
  }
  return out;
}

/**
 * The values of the keys `step` reads, flattened to leaves (`random_forest_pipeline.random_forest.max_depth`),
 * so that a miss can name the one key that changed. Output-neutral keys are left out.
 */
export function stepConfigValues(config: unknown, step: StepName): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const path of STEP_CONFIG_KEYS[step]) flattenLeaves(path, valueAt(config, path), out);
  for (const key of Object.keys(out)) if (OUTPUT_NEUTRAL_KEYS.has(key)) delete out[key];
  return out;
}
