/**
 * How errors become Temporal failures. The rule: a deterministic step on the same input fails the
 * same way again, so errors from parsing, checking and fitting are non-retryable and carry a message
 * naming the file, column, row or key; I/O against the store or a data source is retried.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { StoreError, isRetryableStoreError } from '../store/errors';

export const NON_RETRYABLE_TYPES = [
  'DataError',
  'ConfigError',
  'CheckFailed',
  'ArtifactNotFoundError',
  'DigestMismatchError',
  'InvalidRefError',
];

const NON_RETRYABLE_NAMES = new Set([
  ...NON_RETRYABLE_TYPES,
  'ForestParameterError',
  'HyperparameterError',
  'StoreAccessError',
  'InvalidPublishError',
  'SourceNotFoundError',
]);

export function isNonRetryable(err: unknown): boolean {
  if (err instanceof ApplicationFailure) return err.nonRetryable === true;
  // A store error knows whether retrying can help (only an unreachable store can come back).
  if (err instanceof StoreError) return !err.retryable;
  return err instanceof Error && NON_RETRYABLE_NAMES.has(err.name);
}

/** Wraps an error from deterministic work (parse, check, transform, fit) as a non-retryable DataError. */
export function dataFailure(err: unknown, context: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (isRetryableStoreError(err)) throw err;
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({
    type: err instanceof Error && NON_RETRYABLE_NAMES.has(err.name) ? err.name : 'DataError',
    message: `${context}: ${message}`,
    nonRetryable: true,
    cause: err instanceof Error ? err : undefined,
  });
}

/** Runs deterministic work; any error it throws is the input's fault and is not retried. */
export async function deterministic<T>(context: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw dataFailure(err, context);
  }
}

/** Final mapping for anything escaping an activity: keep retryable errors retryable, name the rest. */
export function toActivityError(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (isNonRetryable(err)) {
    const e = err as Error;
    return ApplicationFailure.create({ type: e.name, message: e.message, nonRetryable: true, cause: e });
  }
  return err;
}
