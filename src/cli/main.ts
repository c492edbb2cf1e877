/**
 * `mlpipe`: the command-line entry point and composition root for the CLI. Each command lives in
 * its own module under commands/.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliContext, collect } from './context';
import { registerRunCommand } from './commands/run';
import { registerWorkerCommands } from './commands/worker';
import { registerScheduleCommands } from './commands/schedule';
import { registerLineageCommand } from './commands/lineage';
import { registerPromoteCommands } from './commands/promote';
import { registerApproveCommands } from './commands/approve';
import { registerSweepCommand } from './commands/sweep';
import { registerArtifactsCommands } from './commands/artifacts';
import { registerPredictCommand } from './commands/predict';
import { registerServeCommand } from './commands/serve';
import { registerInspectCommand } from './commands/inspect';
import { registerSyncCommand } from './commands/sync';
import { registerGcCommand } from './commands/gc';
import { registerEventsCommands } from './commands/events';
import { deliverAfterMove } from './alias-events';
import { projectRoot } from '../config';
import { cliErrorMessage } from './error-message';

export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  const program = new Command('mlpipe')
    .description('A reproducible ML training pipeline run by Temporal')
    .version(pkg.version)
    .option('-c, --config <path>', 'base config file (default: $MLPIPE_CONFIG or config/pipeline.yaml)')
    .option('--set <key=value>', 'global config override, applies to every command (repeatable)', collect, [])
    // Global options go before the command (`mlpipe --set a=1 sweep --set b=1,2`), so a command's own
    // --set (sweep values, run overrides) is never taken for the global one.
    .enablePositionalOptions()
    .showHelpAfterError();
  let context: CliContext | undefined;
  const ctx = (): CliContext =>
    (context ??= new CliContext(program.opts<{ config?: string; set: string[] }>()));
  registerRunCommand(program, ctx);
  registerWorkerCommands(program, ctx);
  registerScheduleCommands(program, ctx);
  registerSweepCommand(program, ctx);
  registerLineageCommand(program, ctx);
  registerPromoteCommands(program, ctx);
  registerApproveCommands(program, ctx);
  registerArtifactsCommands(
    program,
    (project) => ctx().getStore(project),
    undefined,
    (store, event) => deliverAfterMove(ctx(), store, event),
  );
  const modelDeps = {
    getStore: (project?: string) => ctx().getStore(project),
    getConfig: () => ctx().config,
  };
  registerPredictCommand(program, modelDeps);
  registerServeCommand(program, modelDeps);
  registerInspectCommand(program, () => ctx().config);
  registerSyncCommand(program, ctx);
  registerGcCommand(program, ctx);
  registerEventsCommands(program, ctx);
  program.hook('postAction', async () => {
    await context?.close();
  });
  return program;
}

export function main(argv: string[] = process.argv): void {
  buildProgram()
    .parseAsync(argv)
    .catch((err: unknown) => {
      console.error(`mlpipe: ${cliErrorMessage(err)}`);
      process.exit(1);
    });
}

if (require.main === module) main();
