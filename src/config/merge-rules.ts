/**
 * Keys whose value describes one dataset (its columns, classes, ranges): a later layer's map replaces
 * an earlier layer's whole instead of merging into it, so that a user's own columns never inherit
 * another table's. Every other section merges key by key.
 */
export const REPLACED_KEYS: readonly string[] = [
  'check_data.required_columns',
  'check_data.ranges',
  'random_forest_pipeline.features',
  'random_forest_pipeline.random_forest.class_weight',
];

const replaced = new Set(REPLACED_KEYS);

export function replacesWhole(path: readonly string[]): boolean {
  return replaced.has(path.join('.'));
}
