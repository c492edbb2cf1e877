/**
 * A relative `data.source` on the command line names the user's file relative to where they typed
 * the command, as `inspect FILE` and `predict --input FILE` read it. Workers resolve relative paths
 * against the project folder (they may run anywhere), so the CLI sends the absolute path instead.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** The override that pins a relative local source to the current directory, if one is needed. */
export function absoluteSourceOverride(source: string, cwd = process.cwd()): string | undefined {
  // sample:…, http(s)://…, s3://…, file://… name no path relative to here.
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) || isAbsolute(source)) return undefined;
  const path = resolve(cwd, source);
  return existsSync(path) ? `data.source=${JSON.stringify(path)}` : undefined;
}
