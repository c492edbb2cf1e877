/**
 * Loading the pipeline config, in this order (later wins):
 * 1. the schema's defaults (so a file may leave out whole sections, as the reference's does);
 * 2. the YAML file: `path`, else $MLPIPE_CONFIG, else <project>/config/pipeline.yaml;
 * 3. the environment: MLPIPE_STORAGE_URI → storage.uri, TEMPORAL_ADDRESS → temporal.address,
 *    TEMPORAL_NAMESPACE → temporal.namespace, MLFLOW_TRACKING_URI → tracking.mlflow.uri;
 * 4. Hydra-style overrides (`--set a.b=c`), which may only change keys that exist after 1–3;
 * 5. a patch object (the workflow input's `config`), deep-merged;
 * then the result is validated as a whole.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { canonicalKeyPath, normalizeConfigAliases } from './aliases';
import { ConfigError } from './errors';
import { replacesWhole } from './merge-rules';
import { applyOverrides } from './overrides';
import { deepMerge, isPlainObject, type PlainObject } from './plain';
import { projectRoot } from './project-root';
import { pipelineConfigInputSchema, type PipelineConfig } from './schema';
import { validateConfig } from './validate';

export interface LoadConfigOptions {
  path?: string;
  overrides?: readonly string[];
  patch?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

/** Environment variables that override config keys (deployment settings, not experiment settings). */
export const CONFIG_ENV: Readonly<Record<string, readonly string[]>> = {
  MLPIPE_STORAGE_URI: ['storage', 'uri'],
  TEMPORAL_ADDRESS: ['temporal', 'address'],
  TEMPORAL_NAMESPACE: ['temporal', 'namespace'],
  MLFLOW_TRACKING_URI: ['tracking', 'mlflow', 'uri'],
};

/**
 * Environment values taken only when they fit. MLflow's own clients also read MLFLOW_TRACKING_URI as a
 * local store (`file:./mlruns`, `sqlite:///…`, `databricks`); the sink speaks REST to a server, so such a
 * value is another tool's setting and is left alone rather than stopping every run. Given in a config
 * file or an override, a value that is not http(s) is still an error naming the key.
 */
const ENV_ACCEPTS: Readonly<Record<string, (value: string) => boolean>> = {
  MLFLOW_TRACKING_URI: (value) => /^https?:\/\//i.test(value),
};

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.MLPIPE_CONFIG ? resolve(env.MLPIPE_CONFIG) : join(projectRoot(), 'config', 'pipeline.yaml');
}

export function loadConfig(opts: LoadConfigOptions = {}): PipelineConfig {
  const env = opts.env ?? process.env;
  const path = opts.path ? resolve(opts.path) : defaultConfigPath(env);
  const shownPath = relative(process.cwd(), path) || path;

  let cfg = deepMerge(
    configDefaults(),
    normalizeConfigAliases(readConfigFile(path, shownPath)),
    replacesWhole,
  ) as PlainObject;
  for (const [name, keyPath] of Object.entries(CONFIG_ENV)) {
    const value = env[name];
    if (value && (ENV_ACCEPTS[name]?.(value) ?? true))
      cfg = deepMerge(
        cfg,
        keyPath.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value),
      ) as PlainObject;
  }
  const overrides = opts.overrides ?? [];
  if (overrides.length) cfg = applyOverrides(cfg, overrides, { canonicalKey: canonicalKeyPath });
  if (opts.patch) {
    if (!isPlainObject(opts.patch))
      throw new ConfigError('config patch must be an object of config sections');
    cfg = deepMerge(cfg, normalizeConfigAliases(opts.patch), replacesWhole) as PlainObject;
  }
  const sources = [shownPath, overrides.length ? 'overrides' : '', opts.patch ? 'patch' : ''].filter(Boolean);
  return validateConfig(cfg, sources.join(' + '));
}

/** Every key with its default value, as the schema states them. */
export function configDefaults(): PlainObject {
  return pipelineConfigInputSchema.parse({}) as PlainObject;
}

/** Reads a YAML config file; an empty file is an empty config. */
export function readConfigFile(path: string, shownPath = path): PlainObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `config file not found: ${shownPath} (set MLPIPE_CONFIG or pass --config to use another file)`
        : `cannot read config file ${shownPath}: ${(err as Error).message}`,
    );
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(
      `${shownPath} is not valid YAML:`,
      doc.errors.map((e) => ({ path: '', message: e.message })),
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value))
    throw new ConfigError(`${shownPath}: expected a mapping of config sections at the top`);
  return value;
}
