/**
 * The CLI's last line for a failed command keeps the reason an SDK error carries in its cause.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ServiceError } from '@temporalio/client';
import { cliErrorMessage } from '../../src/cli/error-message';
import { StoreUnavailableError } from '../../src/store/errors';

void it('appends the causes that add something, once each', () => {
  const grpc = Object.assign(new Error('13 INTERNAL: sql: database is closed'), { code: 13 });
  assert.equal(
    cliErrorMessage(new ServiceError('Failed to start Workflow', { cause: grpc })),
    'Failed to start Workflow: 13 INTERNAL: sql: database is closed',
  );
  // A cause already quoted in the message is not repeated.
  const refused = new Error('connect ECONNREFUSED 127.0.0.1:9000');
  assert.equal(
    cliErrorMessage(new StoreUnavailableError('s3://b/p', 'GET', refused.message, { cause: refused })),
    'artifact store s3://b/p is unavailable (GET): connect ECONNREFUSED 127.0.0.1:9000',
  );
  assert.equal(cliErrorMessage('plain text'), 'plain text');
});
