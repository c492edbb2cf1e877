/**
 * Where alias events go: each configured webhook (a signed JSON POST) and, optionally, a
 * Signal-With-Start of a Temporal workflow. A sink's `send` throws on failure; `retryable: false`
 * on the error means retrying cannot help (a 4xx answer, a missing secret).
 */
import type { PipelineConfig } from '../config';
import type { AliasEventPayload } from './payload';
import { EVENT_ID_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signBody } from './signature';

export interface Sink {
  /** Names the sink in records and output: a webhook's origin and path (never its query), or `temporal:<workflow id>`. */
  label: string;
  send(payload: AliasEventPayload, timeoutMs: number): Promise<void>;
}

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface SignalWithStartRequest {
  workflowType: string;
  workflowId: string;
  taskQueue: string;
  signal: string;
  payload: AliasEventPayload;
}

/** Signal-With-Start through the caller's Temporal client (the worker's, or the CLI's). */
export type SignalWithStart = (req: SignalWithStartRequest) => Promise<void>;

export function sinksFromConfig(events: PipelineConfig['events'], signalWithStart?: SignalWithStart): Sink[] {
  const sinks: Sink[] = events.webhooks.map((hook, i) =>
    webhookSink(hook.url, hook.secret_env, `events.webhooks[${i}].secret_env`),
  );
  const t = events.temporal;
  if (t) {
    sinks.push({
      label: `temporal:${t.workflow_id}`,
      async send(payload) {
        if (!signalWithStart)
          throw new DeliveryError('no Temporal client here to signal with (events.temporal)', false);
        await signalWithStart({
          workflowType: t.workflow_type,
          workflowId: t.workflow_id,
          taskQueue: t.task_queue,
          signal: t.signal,
          payload,
        });
      },
    });
  }
  return sinks;
}

export function webhookLabel(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

function webhookSink(url: string, secretEnv: string | null, configKey: string): Sink {
  return {
    label: webhookLabel(url),
    async send(payload, timeoutMs) {
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'mlpipe-events',
        [IDEMPOTENCY_HEADER]: payload.id,
        [EVENT_ID_HEADER]: payload.id,
      };
      if (secretEnv !== null) {
        const secret = process.env[secretEnv];
        if (!secret)
          throw new DeliveryError(
            `environment variable ${secretEnv} (${configKey}) is not set: the webhook cannot be signed`,
            false,
          );
        headers[SIGNATURE_HEADER] = signBody(secret, body);
      }
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const why =
          (err as Error).name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : (cause?.code ?? cause?.message ?? (err as Error).message);
        throw new DeliveryError(`POST ${webhookLabel(url)}: ${why}`, true);
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return;
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      throw new DeliveryError(`POST ${webhookLabel(url)}: HTTP ${res.status}`, retryable);
    },
  };
}
