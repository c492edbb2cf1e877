/**
 * `mlpipe gc`: garbage collection driven by aliases and lineage (src/gc). Defaults come from the
 * config's gc section; every version in every project is considered unless --project narrows it.
 */
import type { Command } from 'commander';
import { collectGarbage, type GcReport } from '../../gc/collect';
import { parseDuration, formatAge } from '../../config/duration';
import { VersionedArtifactStore } from '../../store/versioned-store';
import type { CliContext } from '../context';

interface GcFlags {
  dryRun?: boolean;
  keepLast?: string;
  olderThan?: string;
  grace?: string;
  project?: string;
  json?: boolean;
}

export function registerGcCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('gc')
    .description(
      'delete versions no alias, recent alias move, kept lineage or run in flight needs, and the blobs only they use',
    )
    .option('--dry-run', 'print what would go and why, and the bytes freed; delete nothing')
    .option('--keep-last <n>', 'keep what each alias pointed to in its last N moves (default: gc.keep_last)')
    .option(
      '--older-than <duration>',
      'only delete versions older than this, e.g. 30d (default: gc.older_than)',
    )
    .option(
      '--grace <duration>',
      'blobs and runs without a record younger than this are in flight (default: gc.grace)',
    )
    .option('--project <name>', 'only delete this project’s versions (default: every project)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: GcFlags) => {
      const c = ctx();
      const store = await c.getStore(flags.project);
      if (!(store instanceof VersionedArtifactStore))
        throw new Error(`gc: ${store.uri} is not a versioned artifact store`);
      const cfg = c.config.gc;
      const keepLast = flags.keepLast === undefined ? cfg.keep_last : Number(flags.keepLast);
      if (!Number.isInteger(keepLast) || keepLast < 0)
        throw new Error(`gc: --keep-last must be an integer ≥ 0, got ${flags.keepLast}`);
      const report = await collectGarbage(store, {
        dryRun: Boolean(flags.dryRun),
        keepLast,
        olderThanMs: parseDuration(flags.olderThan ?? cfg.older_than, '--older-than (gc.older_than)'),
        graceMs: parseDuration(flags.grace ?? cfg.grace, '--grace (gc.grace)'),
        ...(flags.project !== undefined ? { project: flags.project } : {}),
      });
      console.log(flags.json ? JSON.stringify(report, null, 2) : formatGcReport(report));
    });
}

export function formatGcReport(r: GcReport): string {
  const verb = r.dryRun ? 'would delete' : 'deleted';
  const lines = [
    `gc of ${r.store}${r.rules.project ? ` (project ${r.rules.project})` : ''}${r.dryRun ? ': dry run, nothing deleted' : ''}`,
    `rules: keep current aliases, each alias's last ${r.rules.keepLast} moves, the lineage of every kept version, ` +
      `versions younger than ${formatAge(r.rules.olderThanMs)}, runs in flight and blobs younger than ${formatAge(r.rules.graceMs)}`,
  ];
  for (const d of r.versions.deleted)
    lines.push(`  ${verb} ${d.project}/${d.ref}  ${humanBytes(d.size)}: ${d.reason}`);
  const tally = new Map<string, number>();
  for (const k of r.versions.kept)
    for (const reason of k.reasons) {
      const label = reason.replace(/ of .*$/, '').replace(/^run .* in flight$/, 'run in flight');
      tally.set(label, (tally.get(label) ?? 0) + 1);
    }
  lines.push(
    `versions: ${r.versions.kept.length} kept, ${r.versions.deleted.length} ${verb}` +
      (tally.size ? ` (kept for: ${[...tally].map(([k, n]) => `${k} ${n}`).join(', ')})` : ''),
  );
  lines.push(
    `blobs: ${r.blobs.listed} listed, ${r.blobs.deleted.length} ${verb}, ${humanBytes(r.bytesFreed)} ${r.dryRun ? 'would be ' : ''}freed` +
      (r.blobs.youngUnreferenced
        ? `; ${r.blobs.youngUnreferenced} unreferenced but younger than the grace period, kept`
        : ''),
  );
  lines.push(`took ${(r.durationMs / 1000).toFixed(2)} s`);
  return lines.join('\n');
}

function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
