/** This package's name and version, read once from package.json (two levels up from src/serve and dist/serve). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PackageInfo {
  name: string;
  version: string;
}

let cached: PackageInfo | undefined;

export function packageInfo(): PackageInfo {
  if (!cached) {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as PackageInfo;
    cached = { name: pkg.name, version: pkg.version };
  }
  return cached;
}
