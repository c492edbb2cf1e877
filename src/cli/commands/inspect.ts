/** `mlpipe inspect FILE`: the feature plan a run would infer for a table, without training. */
import { type Command } from 'commander';
import { type PipelineConfig } from '../../config';
import { datasetTarget, featurePlan } from '../../activities/dataset';
import { formatPlan, readTable } from '../../ml';

interface InspectOptions {
  target?: string;
  json?: boolean;
}

export function registerInspectCommand(program: Command, getConfig: () => PipelineConfig): Command {
  return program
    .command('inspect <file>')
    .description(
      'Read a CSV or Parquet table and print the feature plan a run would use: each column, its track ' +
        '(numerical, categorical, nlp or left out) and why. Given tracks in the config are used as given.',
    )
    .option('--target <column>', 'the label column (default: data.target, or a column named target or label)')
    .option('--json', 'print the plan as JSON')
    .action(async (file: string, opts: InspectOptions) => {
      const base = getConfig();
      const config = opts.target ? { ...base, data: { ...base.data, target: opts.target } } : base;
      const table = await readTable(file, { naValues: config.data.na_values });
      const plan = featurePlan(config, table, datasetTarget(config, table));
      if (opts.json) process.stdout.write(JSON.stringify(plan, null, 2) + '\n');
      else
        process.stdout.write(
          `${file}: ${table.nRows} rows, ${table.names.length} columns\n${formatPlan(plan)}\n`,
        );
    });
}
