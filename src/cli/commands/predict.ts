/** `mlpipe predict`: batch scoring of a CSV or Parquet file with an exported model. */
import { type Command } from 'commander';
import { formatCsv, writeCsv } from '../../ml/table';
import { scoreFile } from '../../serve/batch-predict';
import { loadServedModel } from '../../serve/load-model';
import { type ModelCommandDeps, modelSource } from '../../serve/model-command-deps';
import { parseInstant, parseRef, resolveAt } from '../../store';
import { AT_HELP } from './artifacts';

interface PredictOptions {
  model: string;
  input: string;
  output?: string;
  store?: string;
  project?: string;
  at?: string;
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
    .option('--at <time>', `score with ${AT_HELP}`)
    .action(async (opts: PredictOptions) => {
      const at = opts.at === undefined ? undefined : parseInstant(opts.at);
      const project = opts.project ?? (at ? parseRef(opts.model).project : undefined);
      const source = await modelSource(opts.model, opts.store, deps, at !== undefined, project);
      // --at: the alias as it was then, pinned to that version, so the model loaded is the one named then.
      const model = at && source.store ? (await resolveAt(source.store, opts.model, at)).ref : opts.model;
      const served = await loadServedModel(model, source, opts.model);
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
