/** `mlpipe predict`: batch scoring of a CSV or Parquet file with an exported model. */
import { type Command } from 'commander';
import { formatCsv, writeCsv } from '../../ml/table';
import { scoreFile } from '../../serve/batch-predict';
import { loadServedModel } from '../../serve/load-model';
import { type ModelCommandDeps, modelSource } from '../../serve/model-command-deps';

interface PredictOptions {
  model: string;
  input: string;
  output?: string;
  store?: string;
  project?: string;
}

export function registerPredictCommand(program: Command, deps: ModelCommandDeps): Command {
  return program
    .command('predict')
    .description(
      'Score a CSV or Parquet file with an exported model: writes each row\'s predicted class ("prediction") ' +
        'and one probability column per class ("proba_<class>") as CSV.',
    )
    .requiredOption(
      '--model <ref>',
      'store ref (model_export:prod, model_export:v3), s3:// URI or model directory',
    )
    .requiredOption('--input <file>', "rows to score (.csv or .parquet) with the model's input columns")
    .option('--output <file>', 'CSV file to write (default: standard output)')
    .option('--store <uri>', 'artifact store URI (default: storage.uri from the config)')
    .option('--project <name>', 'project whose artifacts a store ref names (default: main.project_name)')
    .action(async (opts: PredictOptions) => {
      const source = await modelSource(opts.model, opts.store, deps, false, opts.project);
      const served = await loadServedModel(opts.model, source);
      const out = await scoreFile(served.model, opts.input);
      if (opts.output) {
        await writeCsv(out, opts.output);
        const from = served.resolvedRef ?? served.requested;
        process.stderr.write(`Scored ${out.nRows} rows of ${opts.input} with ${from} → ${opts.output}\n`);
      } else {
        process.stdout.write(formatCsv(out));
      }
    });
}
