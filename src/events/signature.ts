/**
 * Webhook signatures: HMAC-SHA256 over the exact body bytes, sent as
 * `X-Mlpipe-Signature: sha256=<hex>` (GitHub's scheme), keyed by a secret that comes only from
 * the environment.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-mlpipe-signature';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const EVENT_ID_HEADER = 'x-mlpipe-event-id';

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of a signature header against the body. */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
