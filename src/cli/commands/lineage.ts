/** `mlpipe lineage <workflowId | artifact ref>`: where an artifact came from and what used it. */
import type { Command } from 'commander';
import { ArtifactNotFoundError } from '../../store/errors';
import { parseInstant, resolveAt } from '../../store/alias-timeline';
import { parseRef } from '../../store/refs';
import { AT_HELP } from './artifacts';
import { formatRun, formatTrace, getRunRecord, traceArtifact } from '../../lineage/trace';
import type { CliContext } from '../context';

export function registerLineageCommand(program: Command, ctx: () => CliContext): void {
  program
    .command('lineage <target>')
    .description(
      "show a run record (by workflow ID) or an artifact version's provenance (by ref, e.g. model_export:prod)",
    )
    .option('--json', 'print JSON')
    .option('--depth <n>', 'how many producer hops to follow', '8')
    .option('--project <name>', 'project whose artifact a ref names (default: main.project_name)')
    .option('--at <time>', AT_HELP)
    .action(
      async (target: string, opts: { json?: boolean; depth: string; project?: string; at?: string }) => {
        if (opts.at !== undefined) {
          // A point in time names an artifact through an alias's history; a run record has no history.
          const at = parseInstant(opts.at);
          if (await getRunRecord(await ctx().getStore(opts.project), target))
            throw new Error(
              `lineage --at: "${target}" is a run (workflow ID), which has one record; --at applies to an artifact ref such as model_export:prod`,
            );
          const store = await ctx().getStore(opts.project ?? parseRef(target).project);
          const point = await resolveAt(store, target, at);
          const trace = await traceArtifact(
            store,
            point.ref,
            { depth: Number(opts.depth) },
            `${target} at ${at.toISOString()}`,
          );
          console.log(
            opts.json
              ? JSON.stringify({ ...trace, at: at.toISOString(), move: point.move })
              : formatTrace(trace),
          );
          return;
        }
        // Run records are shared by all projects (workflow IDs are unique); artifact refs are per project.
        const store = await ctx().getStore(opts.project);
        const run = await getRunRecord(store, target);
        if (run) {
          console.log(opts.json ? JSON.stringify(run) : formatRun(run));
          return;
        }
        try {
          const trace = await traceArtifact(store, target, { depth: Number(opts.depth) });
          console.log(opts.json ? JSON.stringify(trace) : formatTrace(trace));
        } catch (err) {
          if (
            err instanceof ArtifactNotFoundError ||
            (err instanceof Error && err.name === 'InvalidRefError')
          ) {
            throw new Error(
              `lineage: "${target}" is neither a recorded workflow ID nor an artifact ref in ${store.uri}`,
              { cause: err },
            );
          }
          throw err;
        }
      },
    );
}
