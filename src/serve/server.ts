/**
 * The scoring server as the CLI and the tests start it: load the model a ref names, serve it over the
 * MLflow protocol, and with `followAlias` keep following the store alias the ref names.
 */
import { join } from 'node:path';
import { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { VersionedArtifactStore, parseRef, type ArtifactStore, type S3Options } from '../store';
import { followAlias } from './alias-follower';
import { registerAliasEventHook } from './alias-event-hook';
import { LEGACY_PROJECT } from '../store/keys';
import { loadServedModel } from './load-model';
import { isModelLocation } from './model-location';
import { ModelSlot } from './model-slot';
import { buildScoringApp } from './scoring-app';

export const DEFAULT_POLL_INTERVAL_MS = 10_000;

export interface ScoringServerOptions {
  /** A store ref (`model_export:prod`, `model_export:v3`), an `s3://` directory or a local directory. */
  model: string;
  /** The artifact store; needed for store refs and for followAlias. */
  store?: ArtifactStore;
  /** Where downloaded models are cached (default `.mlpipe/cache` in the working directory). */
  cacheDir?: string;
  s3?: S3Options;
  /** Poll the alias in `model` and hot-swap the model when it moves. */
  followAlias?: boolean;
  pollIntervalMs?: number;
  /**
   * With followAlias: the shared secret of alias-event webhooks. The server then takes them on
   * POST /hooks/alias-events and reloads at once when the followed alias moves (polling stays on).
   */
  eventSecret?: string;
  /** Largest request body in bytes (default 5 MiB). */
  bodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
}

export function defaultCacheDir(): string {
  return join(process.cwd(), '.mlpipe', 'cache');
}

/** Loads the model, then returns a fastify instance ready to `listen` (not yet listening). */
export async function createScoringServer(opts: ScoringServerOptions): Promise<FastifyInstance> {
  const followed = opts.followAlias ? aliasToFollow(opts.model, opts.store) : undefined;
  const loadOptions = { store: opts.store, cacheDir: opts.cacheDir ?? defaultCacheDir(), s3: opts.s3 };
  const slot = new ModelSlot(await loadServedModel(opts.model, loadOptions));
  const app = buildScoringApp(slot, { bodyLimit: opts.bodyLimit, logger: opts.logger });
  const served = slot.current;
  app.log.info(
    { model: served.requested, ref: served.resolvedRef, digest: served.digest },
    `serving ${served.resolvedRef ?? served.requested}`,
  );

  if (followed) {
    const follower = followAlias({
      store: followed.store,
      name: followed.name,
      alias: followed.alias,
      intervalMs: opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      slot,
      load: (versionRef) => loadServedModel(versionRef, loadOptions, opts.model),
      log: app.log,
    });
    app.addHook('onClose', () => follower.stop());
    if (opts.eventSecret)
      await registerAliasEventHook(app, {
        secret: opts.eventSecret,
        project: followed.store.project ?? LEGACY_PROJECT,
        name: followed.name,
        alias: followed.alias,
        checkNow: () => follower.checkNow(),
      });
  } else if (opts.eventSecret) {
    throw new Error('alias events (--events-secret-env) only make sense with --follow-alias');
  }
  return app;
}

function aliasToFollow(model: string, store: ArtifactStore | undefined) {
  const parsed = isModelLocation(model) ? undefined : parseRef(model);
  if (!parsed || parsed.alias === undefined) {
    throw new Error(
      `--follow-alias needs a store ref with an alias, such as model_export:prod (got '${model}').`,
    );
  }
  if (!store) throw new Error(`--follow-alias needs an artifact store to poll for ${model}.`);
  // `other_project/model_export:prod` follows that project's alias, as resolving it reads it.
  const scoped =
    parsed.project !== undefined && store.project !== undefined && store instanceof VersionedArtifactStore
      ? store.forProject(parsed.project)
      : store;
  return { store: scoped, name: parsed.name, alias: parsed.alias };
}
