/**
 * Which errors Temporal retries: an unreachable store can come back, so it is retried; every other
 * store error, and every error from deterministic work, fails the step at once with its message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { isNonRetryable, toActivityError } from '../../src/activities/failures';
import {
  AliasConflictError,
  ArtifactNotFoundError,
  DigestMismatchError,
  StoreAccessError,
  StoreUnavailableError,
  UnsupportedFormatError,
} from '../../src/store/errors';

void describe('activity failures', () => {
  void it('retries an unreachable store and nothing else the store reports', () => {
    const unavailable = new StoreUnavailableError('s3://b/p', 'GET', 'connect ECONNREFUSED');
    assert.equal(isNonRetryable(unavailable), false);
    assert.equal(toActivityError(unavailable), unavailable);

    const permanent = [
      new StoreAccessError('s3://b/p', 'PUT', 'AccessDenied'),
      new ArtifactNotFoundError('m:v9', 's3://b/p'),
      new DigestMismatchError('m:v0', 'model.bin', 'aa', 'bb'),
      new AliasConflictError('m', 'prod', 1, 2),
      new UnsupportedFormatError('m:v0', 's3://b/p', 3, 2),
    ];
    for (const err of permanent) {
      assert.equal(isNonRetryable(err), true, err.name);
      const failure = toActivityError(err);
      assert.ok(failure instanceof ApplicationFailure, err.name);
      assert.equal(failure.nonRetryable, true, err.name);
      assert.equal(failure.type, err.name);
      assert.equal(failure.message, err.message);
    }
  });

  void it('leaves an unknown error retryable, since it may be transient', () => {
    const err = new Error('socket hang up');
    assert.equal(isNonRetryable(err), false);
    assert.equal(toActivityError(err), err);
  });
});
