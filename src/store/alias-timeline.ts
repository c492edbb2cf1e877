/**
 * Point-in-time answers from an alias's append-only history: which version an alias named at an
 * instant (`mlpipe artifacts show model_export:prod --at 2026-12-01T12:00Z`, and `--at` on lineage
 * and predict), and the intervals in which each version held it (`mlpipe artifacts history NAME
 * ALIAS`). A move holds from its own time until the next move's; the history's order (its sequence
 * numbers) is the order of the moves.
 */
import { InvalidRefError, StoreError } from './errors';
import { formatRef, parseRef } from './refs';
import type { AliasEvent, ArtifactStore, ArtifactVersion } from './types';

/** A span of time in which one version held an alias. */
export interface AliasInterval {
  version: number;
  /** When the move that set it happened (ISO 8601). */
  from: string;
  /** When the next move happened; absent while the version still holds the alias. */
  to?: string;
  /** Who moved it there, and why (the move's actor and reason). */
  actor?: string;
  reason?: string;
  /** The move that set it. */
  event: AliasEvent;
  /**
   * Set when the next recorded move did not start from this version (`from` of that move): a move
   * is missing from the history between the two, so this interval's end is an upper bound.
   */
  gapAfter?: { nextMoveFrom: number | null };
}

/** The alias was not set at the instant asked (before its first move, or never set). */
export class AliasNotSetError extends StoreError {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
  }
}

export function aliasIntervals(history: readonly AliasEvent[]): AliasInterval[] {
  return history.map((event, i) => {
    const next = history[i + 1];
    return {
      version: event.to,
      from: event.at,
      ...(next ? { to: next.at } : {}),
      ...(event.actor !== undefined ? { actor: event.actor } : {}),
      ...(event.reason !== undefined ? { reason: event.reason } : {}),
      event,
      ...(next && next.from !== event.to ? { gapAfter: { nextMoveFrom: next.from } } : {}),
    };
  });
}

/**
 * The move in force at `at`: the last one made at or before it. Throws AliasNotSetError, naming the
 * first move's time, when `at` is before it.
 */
export function moveInForceAt(history: readonly AliasEvent[], at: Date, label: string): AliasEvent {
  const t = at.getTime();
  let found: AliasEvent | undefined;
  for (const event of history) if (Date.parse(event.at) <= t) found = event;
  if (found) return found;
  if (history.length === 0)
    throw new AliasNotSetError(`${label} has never been set, so it had no version at ${at.toISOString()}`);
  throw new AliasNotSetError(
    `${label} was first set at ${history[0].at} (to v${history[0].to}); ${at.toISOString()} is before that, when it named no version`,
  );
}

const INSTANT_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Parses `--at`: an ISO 8601 instant with a time zone (`2026-12-01T12:00Z`, `…T12:00:30+01:00`), or a
 * date alone (`2026-12-01`, midnight UTC). A time without a zone is refused: it would silently mean
 * this machine's zone.
 */
export function parseInstant(text: string, option = '--at'): Date {
  const usage = `${option} ${JSON.stringify(text)}: expected an ISO 8601 time with a zone, such as 2026-12-01T12:00Z or 2026-12-01T13:00+01:00, or a date (2026-12-01, midnight UTC)`;
  const m = INSTANT_RE.exec(text.trim());
  if (!m) throw new InvalidRefError(text, usage);
  const [, y, mo, d] = m.map(Number);
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d)
    throw new InvalidRefError(text, `${usage} (no such date)`);
  const ms = Date.parse(text.trim());
  if (Number.isNaN(ms)) throw new InvalidRefError(text, `${usage} (no such time)`);
  return new Date(ms);
}

export interface PointInTime {
  version: ArtifactVersion;
  /** The alias move in force at the instant (absent for a `name:vN` ref). */
  move?: AliasEvent;
  /** The ref that names the version now, with the asked ref's project prefix: `proj/model_export:v3`. */
  ref: string;
}

/**
 * Resolves `ref` as it was at `at`: an alias (or a bare name: latest) through its history; a version
 * ref names the same version at any time, once it exists.
 */
export async function resolveAt(store: ArtifactStore, ref: string, at: Date): Promise<PointInTime> {
  const parsed = parseRef(ref);
  if (parsed.project !== undefined && store.project !== undefined && parsed.project !== store.project)
    throw new InvalidRefError(
      ref,
      `its history is in project ${parsed.project}, and this store is opened on project ${store.project} (use --project ${parsed.project})`,
    );
  const prefix = parsed.project === undefined ? '' : `${parsed.project}/`;
  if (parsed.version !== undefined) {
    const version = await store.resolve(ref);
    if (Date.parse(version.createdAt) > at.getTime())
      throw new AliasNotSetError(
        `${version.ref} was created at ${version.createdAt}, after ${at.toISOString()}: it did not exist then`,
      );
    return { version, ref: `${prefix}${version.ref}` };
  }
  const history = await store.aliasHistory(parsed.name, parsed.alias);
  const move = moveInForceAt(history, at, `${parsed.name}:${parsed.alias}`);
  const versionRef = `${prefix}${formatRef(parsed.name, move.to)}`;
  return { version: await store.resolve(versionRef), move, ref: versionRef };
}
