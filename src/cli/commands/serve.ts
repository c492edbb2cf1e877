/** `mlpipe serve`: the MLflow-compatible REST scoring server. */
import { type Command, InvalidArgumentError } from 'commander';
import { parseByteSize } from '../../serve/byte-size';
import { createScoringServer, DEFAULT_POLL_INTERVAL_MS } from '../../serve/server';
import { type ModelCommandDeps, modelSource } from '../../serve/model-command-deps';

interface ServeOptions {
  model: string;
  host: string;
  port: number;
  followAlias: boolean;
  pollInterval: number;
  maxBody: number;
  store?: string;
  project?: string;
  eventsSecretEnv?: string;
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is an integer 0..65535');
  return n;
}

function seconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a number of seconds > 0');
  return n;
}

function byteSize(text: string): number {
  try {
    return parseByteSize(text, '--max-body');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function registerServeCommand(program: Command, deps: ModelCommandDeps): Command {
  return program
    .command('serve')
    .description(
      "Serve a model over MLflow's scoring protocol: POST /invocations (JSON dataframe_split, dataframe_records, " +
        'instances or inputs; or CSV), GET /ping, /health, /version. Add "params": {"predict_proba": true} ' +
        'or ?proba=true for class probabilities.',
    )
    .requiredOption(
      '--model <ref>',
      'store ref (model_export:prod, model_export:v3), s3:// URI or model directory',
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', port, 5000)
    .option('--follow-alias', 'reload the model when the alias in --model (e.g. prod) moves', false)
    .option(
      '--poll-interval <seconds>',
      'how often --follow-alias checks the alias',
      seconds,
      DEFAULT_POLL_INTERVAL_MS / 1000,
    )
    .option('--max-body <size>', 'largest request body, e.g. 5mb or 512kb', byteSize, parseByteSize('5mb'))
    .option(
      '--events-secret-env <name>',
      'with --follow-alias: take alias-event webhooks on POST /hooks/alias-events, signed with the secret in this environment variable, and reload at once',
    )
    .option('--store <uri>', 'artifact store URI (default: storage.uri from the config)')
    .option('--project <name>', 'project whose artifacts a store ref names (default: main.project_name)')
    .action(async (opts: ServeOptions) => {
      const eventSecret = opts.eventsSecretEnv === undefined ? undefined : process.env[opts.eventsSecretEnv];
      if (opts.eventsSecretEnv !== undefined && !eventSecret)
        throw new Error(`--events-secret-env: environment variable ${opts.eventsSecretEnv} is not set`);
      const { store, cacheDir, s3 } = await modelSource(
        opts.model,
        opts.store,
        deps,
        opts.followAlias,
        opts.project,
      );
      const app = await createScoringServer({
        model: opts.model,
        store,
        cacheDir,
        s3,
        followAlias: opts.followAlias,
        pollIntervalMs: opts.pollInterval * 1000,
        ...(eventSecret ? { eventSecret } : {}),
        bodyLimit: opts.maxBody,
        logger: { level: 'info' },
      });
      const address = await app.listen({ host: opts.host, port: opts.port });
      app.log.info(`scoring server listening on ${address} (POST ${address}/invocations)`);
      const shutdown = (signal: string) => {
        app.log.info(`${signal}: closing the scoring server`);
        app.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
