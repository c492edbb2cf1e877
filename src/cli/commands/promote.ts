/**
 * `mlpipe promote REF --reason …` and `mlpipe rollback --reason …`: move prod by hand, by
 * compare-and-swap, with the reason kept in the alias history.
 */
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { parseRef } from '../../store/refs';
import type { CliContext } from '../context';
import { followPromotionInMlflow } from './sync';
import { deliverAfterMove } from '../alias-events';

export function registerPromoteCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('promote <ref>')
    .description('point the prod alias (evaluate.promote_alias) at a model version')
    .requiredOption('--reason <text>', 'why (kept in the alias history)')
    .option('--alias <alias>', 'alias to move (default: evaluate.promote_alias)')
    .option('--project <name>', 'project whose model to promote (default: main.project_name)')
    .action(async (ref: string, opts: { reason: string; alias?: string; project?: string }) => {
      const c = ctx();
      // Resolved in its own project: the alias moves there too, never in the default project.
      const store = await c.getStore(opts.project ?? parseRef(ref).project);
      const alias = opts.alias ?? c.config.evaluate.promote_alias ?? 'prod';
      const version = await store.resolve(ref);
      const current = (await store.getAliases(version.name))[alias];
      const event = await store.moveAlias(version.name, alias, version.version, {
        expected: current ?? null,
        reason: opts.reason,
        actor: `cli:${userInfo().username}`,
        details: { kind: 'manual-promote' },
      });
      console.log(
        `${version.name}:${alias} ${event.from === null ? '(new)' : `v${event.from}`} → v${event.to} (${opts.reason})`,
      );
      await followPromotionInMlflow(c, version.producer?.workflowId, (l) => console.log(l));
      await deliverAfterMove(c, store, event);
    });

  program
    .command('rollback')
    .description('move prod back to the version it pointed at before its last move')
    .requiredOption('--reason <text>', 'why (kept in the alias history)')
    .option('--name <artifact>', 'model artifact (default: random_forest_pipeline.export_artifact)')
    .option('--alias <alias>', 'alias to move (default: evaluate.promote_alias)')
    .option('--project <name>', 'project whose alias to roll back (default: main.project_name)')
    .action(async (opts: { reason: string; name?: string; alias?: string; project?: string }) => {
      const c = ctx();
      const store = await c.getStore(opts.project);
      const name = opts.name ?? c.config.random_forest_pipeline.export_artifact;
      const alias = opts.alias ?? c.config.evaluate.promote_alias ?? 'prod';
      const history = await store.aliasHistory(name, alias);
      const last = history.at(-1);
      if (!last) throw new Error(`rollback: ${name}:${alias} has never been set`);
      if (last.from === null)
        throw new Error(`rollback: ${name}:${alias} has no earlier version (first set at ${last.at})`);
      const event = await store.moveAlias(name, alias, last.from, {
        expected: last.to,
        reason: opts.reason,
        actor: `cli:${userInfo().username}`,
        details: { kind: 'rollback', undoes: last.at },
      });
      console.log(`${name}:${alias} v${event.from} → v${event.to} (rollback: ${opts.reason})`);
      const target = await store.resolve(`${name}:v${event.to}`);
      await followPromotionInMlflow(c, target.producer?.workflowId, (l) => console.log(l));
      await deliverAfterMove(c, store, event);
    });
}
