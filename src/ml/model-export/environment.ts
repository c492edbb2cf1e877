/** environment.json: the runtime and the versions of the packages a model depends on. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const MODEL_PACKAGES = [
  'csv-parse',
  'hyparquet',
  'hyparquet-compressors',
  'ml-random-forest',
  'yaml',
  'typescript',
] as const;

function findUp(start: string, rel: string): string | undefined {
  let dir = start;
  for (;;) {
    const p = join(dir, rel);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function readJson(path: string | undefined): Record<string, unknown> | undefined {
  if (!path) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Versions found from this module's location (works from src/ through tsx and from dist/). */
export function describeEnvironment(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const project = readJson(findUp(__dirname, 'package.json'));
  const packages: Record<string, string> = {};
  for (const name of MODEL_PACKAGES) {
    const pkg = readJson(findUp(__dirname, join('node_modules', name, 'package.json')));
    if (typeof pkg?.version === 'string') packages[name] = pkg.version;
  }
  return {
    runtime: { node: process.version, platform: process.platform, arch: process.arch },
    project: { name: project?.name ?? null, version: project?.version ?? null },
    packages,
    ...extra,
  };
}
