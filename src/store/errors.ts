/**
 * Store errors, split by what a caller should do about them: StoreUnavailableError is transient
 * (retry with backoff: Temporal maps it to a retryable failure); every other StoreError is a fact about
 * the request or the data and retrying cannot fix it.
 */
export abstract class StoreError extends Error {
  abstract readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The store could not be reached, answered 5xx, or throttled. Retryable. */
export class StoreUnavailableError extends StoreError {
  readonly retryable = true;
  constructor(
    readonly storeUri: string,
    operation: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`artifact store ${storeUri} is unavailable (${operation}): ${detail}`, options);
  }
}

/** The store refused the request (credentials, permissions, missing bucket). Not retryable. */
export class StoreAccessError extends StoreError {
  readonly retryable = false;
  constructor(
    readonly storeUri: string,
    operation: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`artifact store ${storeUri} refused ${operation}: ${detail}`, options);
  }
}

export class ArtifactNotFoundError extends StoreError {
  readonly retryable = false;
  constructor(
    readonly ref: string,
    readonly storeUri: string,
    detail?: string,
  ) {
    super(`artifact ${ref} not found in ${storeUri}${detail ? `: ${detail}` : ''}`);
  }
}

export class DigestMismatchError extends StoreError {
  readonly retryable = false;
  constructor(
    readonly artifact: string,
    readonly file: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`digest mismatch in ${artifact}, file ${file}: expected sha256 ${expected}, found ${found}`);
  }
}

/** A manifest written by a newer mlpipe, in a layout this one cannot read correctly. */
export class UnsupportedFormatError extends StoreError {
  readonly retryable = false;
  constructor(
    readonly ref: string,
    readonly storeUri: string,
    readonly format: number,
    readonly supported: number,
  ) {
    super(
      `${ref} in ${storeUri} is stored in manifest format ${format}, and this mlpipe reads formats up to ${supported}: upgrade mlpipe to read it`,
    );
  }
}

/** A ref, artifact name, alias, file path or record key that the store cannot accept. */
export class InvalidRefError extends StoreError {
  readonly retryable = false;
  constructor(
    readonly ref: string,
    reason: string,
  ) {
    super(`invalid reference ${JSON.stringify(ref)}: ${reason}`);
  }
}

/** A publish request that cannot be honoured (missing source file, duplicate path, …). */
export class InvalidPublishError extends StoreError {
  readonly retryable = false;
  constructor(
    readonly artifact: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot publish ${artifact}: ${reason}`, options);
  }
}

/** A compare-and-swap alias move found the alias somewhere other than expected. */
export class AliasConflictError extends StoreError {
  readonly retryable = false;
  constructor(
    readonly artifact: string,
    readonly alias: string,
    readonly expected: number | null,
    readonly found: number | null,
  ) {
    super(`alias ${artifact}:${alias} moved concurrently: expected ${fmt(expected)}, found ${fmt(found)}`);
  }
}

function fmt(v: number | null): string {
  return v === null ? 'no alias' : `v${v}`;
}

/** True for errors worth retrying with backoff (the store was unreachable or overloaded). */
export function isRetryableStoreError(err: unknown): boolean {
  return err instanceof StoreError ? err.retryable : false;
}
