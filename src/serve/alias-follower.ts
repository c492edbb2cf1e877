/**
 * `--follow-alias`: polls where a store alias (e.g. `model_export:prod`) points and, when it moves, loads
 * the new version and swaps it into the slot. A failed poll or load is logged and the current model keeps
 * serving; the next poll tries again. Polls never overlap (each is scheduled after the previous ends).
 */
import { type ArtifactStore } from '../store/types';
import { type ModelSlot } from './model-slot';
import { type ServedModel } from './scoring-model';

export interface SwapLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

export interface AliasFollowerOptions {
  store: Pick<ArtifactStore, 'getAliases'>;
  name: string;
  alias: string;
  intervalMs: number;
  slot: ModelSlot;
  /** Loads one exact version ref (`name:vN`). */
  load: (versionRef: string) => Promise<ServedModel>;
  log: SwapLogger;
}

export interface AliasFollower {
  /** Polls once now; resolves true when the model was swapped. */
  checkNow(): Promise<boolean>;
  /** Stops polling and waits for a poll in progress to end. */
  stop(): Promise<void>;
}

export function followAlias(opts: AliasFollowerOptions): AliasFollower {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<boolean> | undefined;
  let lastWarning = '';

  const warnOnce = (details: Record<string, unknown>, message: string) => {
    // A store that stays down would otherwise log the same line every interval.
    if (message === lastWarning) return;
    lastWarning = message;
    opts.log.warn(details, message);
  };

  const poll = async (): Promise<boolean> => {
    const ref = `${opts.name}:${opts.alias}`;
    try {
      const aliases = await opts.store.getAliases(opts.name);
      const target = Object.prototype.hasOwnProperty.call(aliases, opts.alias)
        ? aliases[opts.alias]
        : undefined;
      if (target === undefined) {
        warnOnce({ ref }, `alias ${ref} no longer exists; still serving the current model`);
        return false;
      }
      const current = opts.slot.current;
      if (target === current.version) return false;
      const next = await opts.load(`${opts.name}:v${target}`);
      if (stopped) return false;
      const previous = opts.slot.swap(next);
      lastWarning = '';
      opts.log.info(
        { alias: ref, from: previous.resolvedRef, to: next.resolvedRef, digest: next.digest },
        `model swapped: ${ref} moved from ${previous.resolvedRef ?? previous.requested} to ${next.resolvedRef}`,
      );
      return true;
    } catch (err) {
      warnOnce(
        { ref, error: (err as Error).message },
        `could not follow alias ${ref}: ${(err as Error).message}`,
      );
      return false;
    }
  };

  const run = (): Promise<boolean> => {
    inFlight ??= poll().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void run().finally(schedule);
    }, opts.intervalMs);
  };
  schedule();

  return {
    checkNow: run,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
