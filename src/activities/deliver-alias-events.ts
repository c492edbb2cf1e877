/**
 * After evaluate: delivers the alias events of the run's project still in the store's outbox
 * (prod's move by champion/challenger, check_data's reference, any move made by hand meanwhile).
 * Never fails the run: a sink that is down is recorded for `mlpipe events redeliver`, and the
 * workflow ignores this activity's own failure too (the moves themselves are already made).
 */
import { Context } from '@temporalio/activity';
import type { PipelineConfig } from '../config';
import { deliverOutbox, hasOutbox, type DeliverySummary } from '../events/deliver';
import { deliverySettings } from '../events/settings';
import type { SignalWithStart } from '../events/sinks';
import { LEGACY_PROJECT } from '../store/keys';
import type { ActivityDeps } from './deps';

export interface DeliverAliasEventsInput {
  config: PipelineConfig;
}

export function createDeliverAliasEvents(deps: ActivityDeps) {
  return async function deliverAliasEvents(input: DeliverAliasEventsInput): Promise<DeliverySummary> {
    const store = await deps.storeFor(input.config);
    const empty = { delivered: [], failed: [], dropped: 0, unsettled: 0 };
    if (!hasOutbox(store)) return empty;
    const signalWithStart: SignalWithStart = async (req) => {
      await Context.current().client.workflow.signalWithStart(req.workflowType, {
        workflowId: req.workflowId,
        taskQueue: req.taskQueue,
        signal: req.signal,
        signalArgs: [req.payload],
        args: [],
      });
    };
    return deliverOutbox(store, deliverySettings(input.config.events, { signalWithStart }), {
      project: store.project ?? LEGACY_PROJECT,
    });
  };
}
