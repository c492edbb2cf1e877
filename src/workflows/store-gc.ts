/**
 * `storeGc`: garbage collection of the artifact store as a workflow, so that a Temporal Schedule
 * can run it (README, Scheduled GC). One activity; deterministic by construction.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { StoreGcInput, StoreGcSummary } from '../activities/collect-store-garbage';

const { collectStoreGarbage } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1h',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 5 },
  summary: 'mlpipe gc: delete what no alias, recent move, kept lineage or run in flight needs',
});

export async function storeGc(input: StoreGcInput = {}): Promise<StoreGcSummary> {
  return collectStoreGarbage(input);
}
