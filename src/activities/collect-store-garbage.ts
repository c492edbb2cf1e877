/**
 * The storeGc workflow's one activity: `mlpipe gc` run by a worker, so a Temporal Schedule can
 * collect the store's garbage on a cron (README, Scheduled GC). Returns a summary, not the full
 * report (payloads stay small); the deleted refs are capped.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { loadConfig } from '../config';
import { parseDuration } from '../config/duration';
import { collectGarbage } from '../gc/collect';
import { VersionedArtifactStore } from '../store/versioned-store';
import type { ActivityDeps } from './deps';
import { toActivityError } from './failures';

export interface StoreGcInput {
  /** Hydra-style overrides on the worker's config (storage.uri, gc.keep_last, …). */
  overrides?: string[];
  dryRun?: boolean;
  /** Only this project's versions may go (default: every project). */
  project?: string;
}

export interface StoreGcSummary {
  store: string;
  dryRun: boolean;
  versionsKept: number;
  versionsDeleted: number;
  /** The first 100 deleted refs (`project/name:vN`). */
  deleted: string[];
  blobsDeleted: number;
  bytesFreed: number;
  durationMs: number;
}

export function createCollectStoreGarbage(deps: ActivityDeps) {
  return async function collectStoreGarbage(input: StoreGcInput): Promise<StoreGcSummary> {
    let config;
    try {
      config = loadConfig({ path: deps.configPath, overrides: input.overrides ?? [] });
    } catch (err) {
      throw ApplicationFailure.create({
        type: 'ConfigError',
        message: err instanceof Error ? err.message : String(err),
        nonRetryable: true,
      });
    }
    try {
      const store = await deps.storeFor(config);
      if (!(store instanceof VersionedArtifactStore))
        throw ApplicationFailure.nonRetryable(
          `${store.uri} is not a versioned artifact store`,
          'ConfigError',
        );
      const report = await collectGarbage(store, {
        dryRun: input.dryRun === true,
        keepLast: config.gc.keep_last,
        olderThanMs: parseDuration(config.gc.older_than, 'gc.older_than'),
        graceMs: parseDuration(config.gc.grace, 'gc.grace'),
        ...(input.project !== undefined ? { project: input.project } : {}),
      });
      return {
        store: report.store,
        dryRun: report.dryRun,
        versionsKept: report.versions.kept.length,
        versionsDeleted: report.versions.deleted.length,
        deleted: report.versions.deleted.slice(0, 100).map((d) => `${d.project}/${d.ref}`),
        blobsDeleted: report.blobs.deleted.length,
        bytesFreed: report.bytesFreed,
        durationMs: report.durationMs,
      };
    } catch (err) {
      throw toActivityError(err);
    }
  };
}
