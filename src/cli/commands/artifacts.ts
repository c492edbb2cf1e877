/**
 * `mlpipe artifacts ls|show|alias|history|download`: browse and curate the artifact store, the same
 * way on the filesystem and S3 backends. Each sees one project's artifacts: `--project`, else a
 * ref's `project/` prefix, else main.project_name.
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { readParquet, writeCsv } from '../../ml/table';
import {
  aliasIntervals,
  parseInstant,
  parseRef,
  parseVersion,
  resolveAt,
  type AliasEvent,
  type AliasInterval,
  type ArtifactStore,
  type ArtifactVersion,
} from '../../store';

type Print = (line: string) => void;

const PROJECT_FLAGS = '--project <name>';
const PROJECT_HELP = 'project whose artifacts to use (default: main.project_name)';
const AT_FLAGS = '--at <time>';
export const AT_HELP =
  'the version the alias named at that instant, from its history (ISO 8601 with a zone, e.g. 2026-12-01T12:00Z, or a date)';

/** Where a command's output says it looked: the store and, when scoped, the project. */
function where(store: ArtifactStore): string {
  return store.project === undefined ? store.uri : `${store.uri} (project ${store.project})`;
}

export function registerArtifactsCommands(
  program: Command,
  getStore: (project?: string) => Promise<ArtifactStore>,
  print: Print = (line) => console.log(line),
  /** Runs after `artifacts alias` moved an alias (the CLI delivers the move's event). */
  afterMove: (store: ArtifactStore, event: AliasEvent) => Promise<void> = async () => undefined,
): void {
  const artifacts = program
    .command('artifacts')
    .description('list, inspect, alias and download versioned artifacts');

  artifacts
    .command('ls [name]')
    .description('list artifacts, or the versions of one artifact')
    .option('--json', 'print JSON')
    .option(PROJECT_FLAGS, PROJECT_HELP)
    .action(async (name: string | undefined, opts: { json?: boolean; project?: string }) => {
      const store = await getStore(opts.project ?? (name === undefined ? undefined : parseRef(name).project));
      if (name === undefined) {
        const rows = [];
        for (const artifact of await store.listArtifacts()) {
          const [versions, aliases] = await Promise.all([
            store.listVersions(artifact),
            store.getAliases(artifact),
          ]);
          rows.push({ name: artifact, versions: versions.length, latest: aliases.latest, aliases });
        }
        if (opts.json) return print(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return print(`no artifacts in ${where(store)}`);
        print(
          table(
            ['NAME', 'VERSIONS', 'LATEST', 'ALIASES'],
            rows.map((r) => [
              r.name,
              String(r.versions),
              r.latest === undefined ? '-' : `v${r.latest}`,
              aliasList(r.aliases),
            ]),
          ),
        );
        return;
      }
      const artifactName = parseRef(name).name;
      const [versions, aliases] = await Promise.all([
        store.listVersions(artifactName),
        store.getAliases(artifactName),
      ]);
      if (opts.json) return print(JSON.stringify({ name: artifactName, aliases, versions }, null, 2));
      if (versions.length === 0) return print(`no versions of ${artifactName} in ${where(store)}`);
      print(
        table(
          ['VERSION', 'DIGEST', 'SIZE', 'TYPE', 'CREATED', 'ALIASES', 'PRODUCER'],
          versions.map((v) => [
            v.ref,
            v.digest.slice(0, 12),
            humanSize(v.size),
            v.type,
            v.createdAt,
            aliasesOf(aliases, v.version),
            producerLabel(v),
          ]),
        ),
      );
    });

  artifacts
    .command('show <ref>')
    .description('show one version: digest, producer, metadata and files (name:alias, name:vN or name)')
    .option('--json', 'print JSON')
    .option(AT_FLAGS, AT_HELP)
    .option(PROJECT_FLAGS, PROJECT_HELP)
    .action(async (ref: string, opts: { json?: boolean; project?: string; at?: string }) => {
      const store = await getStore(opts.project ?? parseRef(ref).project);
      const at = opts.at === undefined ? undefined : parseInstant(opts.at);
      const point = at ? await resolveAt(store, ref, at) : undefined;
      const version = point?.version ?? (await store.resolve(ref));
      const aliases = aliasesOf(await store.getAliases(version.name), version.version);
      if (opts.json)
        return print(
          JSON.stringify(
            {
              ...version,
              aliases: aliases ? aliases.split(', ') : [],
              ...(at ? { at: at.toISOString(), move: point?.move } : {}),
            },
            null,
            2,
          ),
        );
      if (at)
        print(
          `${version.ref}  (${ref} at ${at.toISOString()}${point?.move ? `: ${moveText(point.move)}` : ''})`,
        );
      else print(`${version.ref}${ref === version.ref ? '' : `  (resolved from ${ref})`}`);
      print(`  store        ${store.uri}`);
      if (store.project !== undefined) print(`  project      ${store.project}`);
      print(`  type         ${version.type}`);
      if (version.description) print(`  description  ${version.description}`);
      print(`  digest       sha256:${version.digest}`);
      const packed = version.files.filter((f) => f.pack);
      const packs = new Set(packed.map((f) => f.pack!.sha256)).size;
      print(
        `  size         ${humanSize(version.size)} in ${version.files.length} file(s)${
          packs > 0 ? ` (${packed.length} small ones stored together in ${packs} pack(s))` : ''
        }`,
      );
      print(`  created      ${version.createdAt}`);
      print(`  aliases      ${aliases || '-'}`);
      if (version.producer) print(`  producer     ${producerLabel(version)} (run ${version.producer.runId})`);
      if (Object.keys(version.metadata).length > 0)
        print(`  metadata     ${JSON.stringify(version.metadata)}`);
      print('');
      print(
        table(
          ['PATH', 'SIZE', 'SHA256'],
          version.files.map((f) => [f.path, humanSize(f.size), f.sha256]),
        ),
      );
    });

  artifacts
    .command('alias <name> <alias> <version>')
    .description('point an alias at a version, by compare-and-swap')
    .option('--expected <version>', "the version the alias must point at now ('none' = must not exist)")
    .option('--reason <text>', 'why (kept in the alias history)')
    .option(PROJECT_FLAGS, PROJECT_HELP)
    .action(
      async (
        name: string,
        alias: string,
        versionText: string,
        opts: { expected?: string; reason?: string; project?: string },
      ) => {
        const store = await getStore(opts.project ?? parseRef(name).project);
        const artifactName = parseRef(name).name;
        const expected =
          opts.expected === undefined
            ? undefined
            : opts.expected === 'none'
              ? null
              : parseVersion(opts.expected);
        const event = await store.moveAlias(artifactName, alias, parseVersion(versionText), {
          ...(expected !== undefined ? { expected } : {}),
          ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
          actor: `cli:${userInfo().username}`,
        });
        print(
          `${artifactName}:${alias} ${event.from === null ? '(new)' : `v${event.from}`} → v${event.to}${opts.reason ? ` (${opts.reason})` : ''}`,
        );
        await afterMove(store, event);
      },
    );

  artifacts
    .command('history <name> [alias]')
    .description(
      'for one alias, the intervals in which each version held it (from, to, version, who, why); for all aliases, every move',
    )
    .option('--moves', "one alias's moves rather than its intervals")
    .option('--json', 'print JSON')
    .option(PROJECT_FLAGS, PROJECT_HELP)
    .action(
      async (
        name: string,
        alias: string | undefined,
        opts: { json?: boolean; moves?: boolean; project?: string },
      ) => {
        const store = await getStore(opts.project ?? parseRef(name).project);
        const events = await store.aliasHistory(parseRef(name).name, alias);
        if (alias !== undefined && !opts.moves) {
          const intervals = aliasIntervals(events);
          if (opts.json) return print(JSON.stringify(intervals, null, 2));
          if (intervals.length === 0) return print(`${name}:${alias} has never been set`);
          return print(intervalTable(intervals));
        }
        if (opts.json) return print(JSON.stringify(events, null, 2));
        if (events.length === 0) return print(`no alias moves for ${name}${alias ? `:${alias}` : ''}`);
        print(
          table(
            ['AT', 'ALIAS', 'MOVE', 'ACTOR', 'REASON'],
            events.map((e) => [e.at, e.alias, moveLabel(e), e.actor ?? '-', e.reason ?? '']),
          ),
        );
      },
    );

  artifacts
    .command('download <ref> <dir>')
    .description('download a version into a directory, verifying every sha256')
    .option(
      '--csv',
      'also write each Parquet table as CSV beside it (e.g. data_test.parquet → data_test.csv)',
    )
    .option(PROJECT_FLAGS, PROJECT_HELP)
    .action(async (ref: string, dir: string, opts: { project?: string; csv?: boolean }) => {
      const store = await getStore(opts.project ?? parseRef(ref).project);
      const version = await store.resolve(ref);
      const dest = resolve(dir);
      await store.download(version, dest);
      print(
        `downloaded ${version.ref} (${version.files.length} file(s), ${humanSize(version.size)}, sha256 verified) to ${dest}`,
      );
      if (opts.csv) {
        for (const f of version.files.filter((x) => /\.parquet$/i.test(x.path))) {
          const from = join(dest, ...f.path.split('/'));
          const to = from.replace(/\.parquet$/i, '.csv');
          await writeCsv(await readParquet(from, { naValues: [] }), to);
          print(`exported ${f.path} as CSV to ${to}`);
        }
      }
    });
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function aliasList(aliases: Record<string, number>): string {
  return Object.entries(aliases)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([alias, v]) => `${alias}→v${v}`)
    .join(', ');
}

function aliasesOf(aliases: Record<string, number>, version: number): string {
  return Object.keys(aliases)
    .filter((a) => aliases[a] === version)
    .sort()
    .join(', ');
}

function producerLabel(v: ArtifactVersion): string {
  return v.producer ? `${v.producer.workflowId}/${v.producer.step}#${v.producer.attempt}` : '-';
}

/** Oldest first, as the moves are listed. */
function intervalTable(intervals: AliasInterval[]): string {
  return table(
    ['FROM', 'TO', 'VERSION', 'WHO', 'WHY'],
    intervals.map((i) => [
      i.from,
      i.to === undefined ? '(now)' : i.to,
      `v${i.version}`,
      i.actor ?? '-',
      // The next move replaced another version: a move between the two is missing from the history.
      `${i.reason ?? ''}${i.gapAfter ? ` [history gap: the next move replaced ${i.gapAfter.nextMoveFrom === null ? 'no version' : `v${i.gapAfter.nextMoveFrom}`}]` : ''}`,
    ]),
  );
}

function moveText(e: AliasEvent): string {
  return `moved ${moveLabel(e)} at ${e.at}${e.actor ? ` by ${e.actor}` : ''}${e.reason ? `: ${e.reason}` : ''}`;
}

function moveLabel(e: AliasEvent): string {
  return `${e.from === null ? '(new)' : `v${e.from}`} → v${e.to}`;
}

function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
