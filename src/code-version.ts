/** The code that ran, for lineage: package version, git commit (or MLPIPE_GIT_COMMIT in images), Node version. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeVersion } from './activities/types';

export function readCodeVersion(root: string, env: NodeJS.ProcessEnv = process.env): CodeVersion {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  let gitCommit = env.MLPIPE_GIT_COMMIT || undefined;
  if (!gitCommit) {
    try {
      gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (dirty) gitCommit += '-dirty';
    } catch {
      gitCommit = undefined;
    }
  }
  return { package: pkg.name, version: pkg.version, gitCommit, node: process.version };
}
