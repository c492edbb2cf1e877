/**
 * Plain-JS bundles of a worker module, for when the code runs from TypeScript sources under tsx.
 * On Node 20 a worker does not inherit tsx's loader, and a worker that registers tsx itself boots
 * several times slower; so the calling thread bundles the worker module once with esbuild (tsx's
 * own dependency) and the worker evaluates the bundle.
 *
 * esbuild's synchronous API starts its service on the first call, which blocks the calling thread
 * for ≈ 60 ms, right at the start of a fit. So bundles are also kept on disk, next to tsx's own
 * cache (a folder per user in the temp directory), keyed by the content of every file that went
 * into them: a later process reuses a bundle whose sources are unchanged, and any edit rebuilds it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type * as Esbuild from 'esbuild';

interface CachedBundle {
  /** Every file the bundle was built from, with the sha256 of its content then. */
  inputs: Array<[path: string, sha256: string]>;
  code: string;
}

const inProcess = new Map<string, string>();

/** The worker's code as one CommonJS script (memoised per process, cached on disk across processes). */
export function bundleForWorker(file: string): string {
  let code = inProcess.get(file);
  if (code === undefined) {
    code = buildOrReuseBundle(file, defaultCacheDir());
    inProcess.set(file, code);
  }
  return code;
}

/** Bundles `file`, or reuses the bundle cached in `cacheDir` when none of its inputs changed. */
export function buildOrReuseBundle(file: string, cacheDir: string | undefined): string {
  // tsx is what runs .ts files (compiled .js never gets here), so esbuild is resolved from it.
  const tsxApi = require.resolve('tsx/cjs/api');
  let esbuild: typeof Esbuild;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    esbuild = require(require.resolve('esbuild', { paths: [tsxApi] })) as typeof Esbuild;
  } catch {
    return `require(${JSON.stringify(tsxApi)}).register(); require(${JSON.stringify(file)});`;
  }
  const cacheFile = cacheDir && cachePath(cacheDir, file, esbuild.version);
  const cached = cacheFile && readCache(cacheFile);
  if (cached) return cached;

  const root = dirname(file);
  const out = esbuild.buildSync({
    entryPoints: [file],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0].text;
  if (cacheFile) {
    const inputs = Object.keys(out.metafile.inputs).map((p): [string, string] => {
      const path = resolve(root, p);
      return [path, sha256(readFileSync(path))];
    });
    writeCache(cacheFile, { inputs, code });
  }
  return code;
}

/** A folder of this user's own in the temp directory (code from it is evaluated), or undefined. */
function defaultCacheDir(): string | undefined {
  try {
    const uid = process.getuid?.() ?? 0;
    const dir = join(tmpdir(), `mlpipe-${uid}`, 'worker-bundles');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.getuid && statSync(dir).uid !== uid) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** The cache file for this entry, esbuild and Node version. */
function cachePath(dir: string, file: string, esbuildVersion: string): string {
  const key = sha256(JSON.stringify([file, esbuildVersion, process.version])).slice(0, 16);
  return join(dir, `${basename(file)}-${key}.json`);
}

function readCache(cacheFile: string): string | undefined {
  try {
    const entry = JSON.parse(readFileSync(cacheFile, 'utf8')) as CachedBundle;
    for (const [path, digest] of entry.inputs) if (sha256(readFileSync(path)) !== digest) return undefined;
    return entry.code;
  } catch {
    return undefined; // missing, unreadable, or an input is gone: build afresh
  }
}

function writeCache(cacheFile: string, entry: CachedBundle): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(tmp, cacheFile);
  } catch {
    // A cache that cannot be written only costs the next process a rebuild.
  }
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
