/** Delivery settings from the config's events section. */
import type { PipelineConfig } from '../config';
import { parseDuration } from '../config/duration';
import type { DeliverySettings } from './deliver';
import { sinksFromConfig, type SignalWithStart } from './sinks';

/** A CLI move delivers inline, so it waits at most this long per request and tries twice. */
const INLINE_TIMEOUT_MS = 2000;
const INLINE_ATTEMPTS = 2;

export function deliverySettings(
  events: PipelineConfig['events'],
  opts: { signalWithStart?: SignalWithStart; inline?: boolean } = {},
): DeliverySettings {
  const timeoutMs = parseDuration(events.timeout, 'events.timeout');
  return {
    sinks: sinksFromConfig(events, opts.signalWithStart),
    attempts: opts.inline ? Math.min(events.attempts, INLINE_ATTEMPTS) : events.attempts,
    initialIntervalMs: parseDuration(events.initial_interval, 'events.initial_interval'),
    timeoutMs: opts.inline ? Math.min(timeoutMs, INLINE_TIMEOUT_MS) : timeoutMs,
  };
}

/** Whether any sink is configured (nothing to deliver, and no client to make, otherwise). */
export function eventsConfigured(events: PipelineConfig['events']): boolean {
  return events.webhooks.length > 0 || events.temporal !== null;
}
