/** The JSON an alias event is delivered as (webhook body and Temporal signal argument). */
import type { AliasEvent } from '../store/types';

export const EVENT_TYPE = 'alias.moved';

export interface AliasEventPayload {
  /** The move ID, `<project>/<name>/<alias>/<seq>`: the same on every redelivery (deduplicate by it). */
  id: string;
  type: typeof EVENT_TYPE;
  /** The store URI (never holds credentials). */
  store: string;
  project: string;
  /** `name:alias` and the version refs, for receivers that only want to reload. */
  ref: string;
  from: string | null;
  to: string;
  event: AliasEvent;
}

export function toPayload(storeUri: string, event: AliasEvent): AliasEventPayload {
  const id = event.id ?? `${event.name}/${event.alias}/${event.at}`;
  return {
    id,
    type: EVENT_TYPE,
    store: storeUri,
    project: id.split('/')[0],
    ref: `${event.name}:${event.alias}`,
    from: event.from === null ? null : `${event.name}:v${event.from}`,
    to: `${event.name}:v${event.to}`,
    event,
  };
}
