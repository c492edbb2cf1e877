/**
 * What the CLI does after it moves an alias (promote, rollback, artifacts alias): delivers that
 * move's event inline, with a short timeout, and says so. A sink that fails is recorded for
 * `mlpipe events redeliver`; the move stands and the command succeeds either way.
 */
import { deliverOutbox, hasOutbox } from '../events/deliver';
import { deliverySettings, eventsConfigured } from '../events/settings';
import type { SignalWithStart } from '../events/sinks';
import type { AliasEvent, ArtifactStore } from '../store/types';
import type { CliContext } from './context';

/** Signal-With-Start through the CLI's client (the configured server, or the embedded dev server's port). */
export function cliSignalWithStart(c: CliContext): SignalWithStart {
  return async (req) => {
    const client = await c.existingClient();
    await client.workflow.signalWithStart(req.workflowType, {
      workflowId: req.workflowId,
      taskQueue: req.taskQueue,
      signal: req.signal,
      signalArgs: [req.payload],
      args: [],
    });
  };
}

export async function deliverAfterMove(
  c: CliContext,
  store: ArtifactStore,
  event: AliasEvent,
  log: (line: string) => void = (line) => console.error(line),
): Promise<void> {
  if (!event.id || !hasOutbox(store)) return;
  const events = c.config.events;
  try {
    const summary = await deliverOutbox(
      store,
      deliverySettings(events, { signalWithStart: cliSignalWithStart(c), inline: true }),
      { only: event.id },
    );
    if (!eventsConfigured(events)) return;
    for (const f of summary.failed)
      log(
        `event ${f.id}: ${f.sink} failed (${f.error}); the move stands. Retry with: mlpipe events redeliver ${f.id}`,
      );
    if (summary.delivered.length) log(`event ${event.id} delivered`);
  } catch (err) {
    log(
      `event ${event.id}: not delivered (${(err as Error).message}); the move stands. Retry with: mlpipe events redeliver ${event.id}`,
    );
  }
}
