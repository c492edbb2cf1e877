/**
 * The resolved config as MLflow params: one param per leaf, keyed by its dotted path
 * (`random_forest_pipeline.random_forest.max_depth`), within MLflow's limits.
 */
import type { MlflowTag } from './client';

/** MLflow's limits (mlflow/utils/validation.py): key length, value length, params per log-batch. */
export const MAX_PARAM_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_PARAMS_PER_BATCH = 100;
export const TRUNCATION_MARK = '…[truncated]';

/** MLflow accepts names of alphanumerics, `_ - . / :` and spaces that do not normalize as paths. */
const VALID_SEGMENT = /^[\w\- :]+$/;

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? 'null';
}

function fit(value: string): string {
  return value.length <= MAX_PARAM_VALUE_LENGTH
    ? value
    : value.slice(0, MAX_PARAM_VALUE_LENGTH - TRUNCATION_MARK.length) + TRUNCATION_MARK;
}

/**
 * Flattens nested objects into dotted keys. A map whose keys MLflow would refuse as name parts (a
 * column called `a.b` or `rate%`), and lists, stay one param holding their JSON; values longer than
 * MLflow's limit are cut and marked, so the rest of the config still logs.
 */
export function configParams(config: unknown): MlflowTag[] {
  const out: MlflowTag[] = [];
  const walk = (value: unknown, path: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      const nameable = entries.every(
        ([k]) => VALID_SEGMENT.test(k) && `${path}.${k}`.length <= MAX_PARAM_KEY_LENGTH,
      );
      if (entries.length > 0 && (nameable || !path)) {
        for (const [k, v] of entries) walk(v, path ? `${path}.${k}` : k);
        return;
      }
    }
    if (path) out.push({ key: path, value: fit(valueText(value)) });
  };
  walk(config, '');
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
