/**
 * The one line the CLI prints for an error that ends a command. SDK errors often say only what
 * failed ("Failed to start Workflow") and keep why in their cause chain (the server's gRPC status),
 * so each cause that adds something is appended.
 */
export function cliErrorMessage(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.some((p) => p.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ') || 'unknown error';
}
