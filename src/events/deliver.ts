/**
 * Delivers alias events from the store's outbox (src/store/versioned-store.ts) to the sinks, at
 * least once: an outbox entry is removed only after every sink's outcome is recorded. Each sink is
 * tried `attempts` times with exponential backoff; what happened is kept per move in a record
 * (`records/events/<move id>.json`), which `mlpipe events ls` lists and `mlpipe events redeliver`
 * retries from. Nothing here throws for a sink that fails: a move never waits on, or fails
 * because of, a webhook.
 */
import type { AliasEvent, ArtifactStore, OutboxEntry } from '../store/types';
import { mapLimit } from '../store/concurrency';
import { toPayload } from './payload';
import { DeliveryError, type Sink } from './sinks';

export const DELIVERY_RECORD_PREFIX = 'events/';
const ALIASES_IN_FLIGHT = 4;

export interface SinkState {
  status: 'delivered' | 'failed';
  attempts: number;
  lastAttemptAt: string;
  deliveredAt?: string;
  lastError?: string;
}

export interface DeliveryRecord {
  id: string;
  event: AliasEvent;
  store: string;
  sinks: Record<string, SinkState>;
  updatedAt: string;
}

export interface DeliverySettings {
  sinks: Sink[];
  attempts: number;
  initialIntervalMs: number;
  timeoutMs: number;
}

/** The store surface delivery needs (the versioned store's outbox and its records). */
export type EventStore = Pick<ArtifactStore, 'uri' | 'getRecord' | 'putRecord' | 'listRecords'> & {
  readOutbox(project?: string): Promise<OutboxEntry[]>;
  ackOutbox(entry: Pick<OutboxEntry, 'key'>): Promise<void>;
};

export function hasOutbox(store: ArtifactStore): store is ArtifactStore & EventStore {
  return typeof (store as Partial<EventStore>).readOutbox === 'function';
}

export interface DeliverySummary {
  delivered: string[];
  failed: Array<{ id: string; sink: string; error: string }>;
  /** Outbox entries whose move never happened (dropped), or may still be under way (left). */
  dropped: number;
  unsettled: number;
}

const recordKey = (id: string) => `${DELIVERY_RECORD_PREFIX}${id}`;

/**
 * Delivers the outbox's moves (one project's, or every project's; or only the move `only`).
 * With no sink configured, moves are acknowledged without a record: turning events on later does
 * not replay the past.
 */
export async function deliverOutbox(
  store: EventStore,
  settings: DeliverySettings,
  opts: { project?: string; only?: string } = {},
): Promise<DeliverySummary> {
  const summary: DeliverySummary = { delivered: [], failed: [], dropped: 0, unsettled: 0 };
  const entries = (await store.readOutbox(opts.project)).filter(
    (e) => opts.only === undefined || e.event.id === opts.only,
  );
  // One alias's moves go out in order; different aliases' at the same time, so that a slow sink
  // costs a delivery run its retries once per alias rather than once per move.
  const byAlias = new Map<string, OutboxEntry[]>();
  for (const entry of entries) {
    const alias = `${entry.event.name}:${entry.event.alias}`;
    byAlias.set(alias, [...(byAlias.get(alias) ?? []), entry]);
  }
  await mapLimit([...byAlias.values()], ALIASES_IN_FLIGHT, async (moves) => {
    for (const entry of moves) {
      if (entry.state === 'unsettled') {
        summary.unsettled++;
        continue;
      }
      if (entry.state === 'lost' || settings.sinks.length === 0) {
        if (entry.state === 'lost') summary.dropped++;
        await store.ackOutbox(entry);
        continue;
      }
      const record = await deliverEvent(store, settings, entry.event, settings.sinks);
      tally(summary, record);
      await store.ackOutbox(entry);
    }
  });
  return summary;
}

/**
 * Sends an already-recorded move again: to its failed sinks, or (`allSinks`) to every configured
 * sink; also delivers it from the outbox if it is still there.
 */
export async function redeliver(
  store: EventStore,
  settings: DeliverySettings,
  target: { id: string; allSinks?: boolean } | { failed: true },
): Promise<DeliverySummary> {
  const summary: DeliverySummary = { delivered: [], failed: [], dropped: 0, unsettled: 0 };
  const records =
    'id' in target
      ? [await store.getRecord<DeliveryRecord>(recordKey(target.id))].filter(
          (r): r is DeliveryRecord => r !== undefined,
        )
      : (await listDeliveries(store)).filter(isFailed);
  if ('id' in target && records.length === 0) {
    const fromOutbox = await deliverOutbox(store, settings, { only: target.id });
    if (fromOutbox.delivered.length + fromOutbox.failed.length === 0)
      throw new Error(
        `no alias event ${target.id} to redeliver (\`mlpipe events ls\` lists them; ids read project/name/alias/seq)`,
      );
    return fromOutbox;
  }
  for (const record of records) {
    // Asked for by ID with nothing failed (or with --all-sinks): send it to every sink again.
    const everySink = 'id' in target && (target.allSinks === true || !isFailed(record));
    const resend = everySink
      ? settings.sinks
      : settings.sinks.filter((s) => record.sinks[s.label]?.status !== 'delivered');
    tally(summary, await deliverEvent(store, settings, record.event, resend, record));
  }
  return summary;
}

export async function listDeliveries(store: EventStore): Promise<DeliveryRecord[]> {
  const keys = await store.listRecords(DELIVERY_RECORD_PREFIX);
  const records = await Promise.all(keys.map((k) => store.getRecord<DeliveryRecord>(k)));
  return records
    .filter((r): r is DeliveryRecord => r !== undefined)
    .sort((a, b) => (a.event.at < b.event.at ? -1 : a.event.at > b.event.at ? 1 : 0));
}

export function isFailed(record: DeliveryRecord): boolean {
  return Object.values(record.sinks).some((s) => s.status === 'failed');
}

async function deliverEvent(
  store: EventStore,
  settings: DeliverySettings,
  event: AliasEvent,
  sinks: Sink[],
  earlier?: DeliveryRecord,
): Promise<DeliveryRecord> {
  const payload = toPayload(store.uri, event);
  const outcomes = await Promise.all(
    sinks.map(
      async (sink) =>
        [sink.label, await sendWithRetries(sink, payload, settings, earlier?.sinks[sink.label])] as const,
    ),
  );
  // Earlier outcomes are kept for the sinks still configured; a sink removed from the config no longer counts.
  const configured = new Set(settings.sinks.map((s) => s.label));
  const kept = Object.entries(earlier?.sinks ?? {}).filter(([label]) => configured.has(label));
  const record: DeliveryRecord = {
    id: payload.id,
    event,
    store: store.uri,
    sinks: { ...Object.fromEntries(kept), ...Object.fromEntries(outcomes) },
    updatedAt: new Date().toISOString(),
  };
  await store.putRecord(recordKey(payload.id), record);
  return record;
}

async function sendWithRetries(
  sink: Sink,
  payload: ReturnType<typeof toPayload>,
  settings: DeliverySettings,
  earlier: SinkState | undefined,
): Promise<SinkState> {
  let attempts = earlier?.attempts ?? 0;
  let lastError = '';
  for (let i = 0; i < settings.attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, settings.initialIntervalMs * 2 ** (i - 1)));
    attempts++;
    try {
      await sink.send(payload, settings.timeoutMs);
      const at = new Date().toISOString();
      return { status: 'delivered', attempts, lastAttemptAt: at, deliveredAt: at };
    } catch (err) {
      lastError = (err as Error).message;
      if (err instanceof DeliveryError && !err.retryable) break;
    }
  }
  return { status: 'failed', attempts, lastAttemptAt: new Date().toISOString(), lastError };
}

function tally(summary: DeliverySummary, record: DeliveryRecord): void {
  const failed = Object.entries(record.sinks).filter(([, s]) => s.status === 'failed');
  if (failed.length === 0) summary.delivered.push(record.id);
  for (const [sink, s] of failed) summary.failed.push({ id: record.id, sink, error: s.lastError ?? '' });
}
