/**
 * `--follow-alias` driven by alias events: `POST /hooks/alias-events` takes the webhooks mlpipe
 * sends (src/events), checks the HMAC signature over the raw body, and, for a move of the alias
 * this server follows, polls it at once. The event only says "look now": the alias is read from
 * the store as when polling, so a forged or replayed event can at worst cause one extra read.
 * Polling stays on as the fallback for a missed event.
 */
import type { FastifyInstance } from 'fastify';
import type { AliasEventPayload } from '../events/payload';
import { SIGNATURE_HEADER, verifySignature } from '../events/signature';

export const ALIAS_EVENTS_PATH = '/hooks/alias-events';

export interface AliasEventHookOptions {
  secret: string;
  /** The followed alias: its project (the root layout's is LEGACY_PROJECT), artifact name and alias. */
  project: string;
  name: string;
  alias: string;
  /** Polls the alias now; true when the model was swapped. */
  checkNow(): Promise<boolean>;
}

export async function registerAliasEventHook(
  app: FastifyInstance,
  opts: AliasEventHookOptions,
): Promise<void> {
  await app.register(async (hooks) => {
    // The signature covers the exact bytes sent: keep the body raw here (the scoring routes parse JSON).
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    hooks.post(ALIAS_EVENTS_PATH, async (request, reply) => {
      const body = request.body as Buffer;
      const signature = request.headers[SIGNATURE_HEADER];
      if (!verifySignature(opts.secret, body, typeof signature === 'string' ? signature : undefined))
        return reply.code(401).send({
          error_code: 'UNAUTHENTICATED',
          message: `missing or wrong ${SIGNATURE_HEADER} (HMAC-SHA256 of the body with the shared secret)`,
        });
      let payload: AliasEventPayload;
      try {
        payload = JSON.parse(body.toString('utf8')) as AliasEventPayload;
      } catch {
        return reply.code(400).send({ error_code: 'BAD_REQUEST', message: 'the body is not JSON' });
      }
      const e = payload.event;
      const ours = e?.name === opts.name && e?.alias === opts.alias && payload.project === opts.project;
      if (!ours) return reply.code(202).send({ id: payload.id, followed: false, reloaded: false });
      const reloaded = await opts.checkNow();
      request.log.info(
        { id: payload.id, reloaded },
        `alias event ${payload.id}: ${reloaded ? 'model reloaded' : 'nothing to reload'}`,
      );
      return reply.code(200).send({ id: payload.id, followed: true, reloaded });
    });
  });
}
