/** The project folder (the one holding package.json), found from this file whether run from src or dist. */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

let cached: string | undefined;

export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`no package.json above ${__dirname}: cannot locate the project folder`);
    dir = parent;
  }
}

/** Relative paths in the config (storage.uri, temporal.dev_server.db_file) are relative to the project folder. */
export function resolveProjectPath(path: string): string {
  return isAbsolute(path) ? path : resolve(projectRoot(), path);
}

/** An example config shipped under config/examples, e.g. `genres` (the reference's music data). */
export function exampleConfigPath(name: string): string {
  return join(projectRoot(), 'config', 'examples', `${name}.yaml`);
}
