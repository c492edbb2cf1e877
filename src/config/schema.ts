/**
 * The pipeline config schema: every key, its type, its default. config/pipeline.yaml states the same
 * defaults with comments (a test keeps the two equal). Each leaf carries a `.describe()` text that
 * error messages quote ("expected <description>, got <value>").
 *
 * Objects are strict, so a misspelt key is an error rather than a silently ignored setting.
 */
import { z } from 'zod';
import { STEP_NAMES, TASK_QUEUE } from '../contract';
import { SAMPLE_TARGET } from '../sample-data/schema';

/** main.project_name when a config does not set it: the store namespace `projects/default/`. */
export const DEFAULT_PROJECT = 'default';
import { parseRef } from '../store/refs';
import { renameDataAliases, renameStepKeys, stepNameOrAlias } from './aliases';

// ---- leaf helpers: each returns a described schema --------------------------------------------

const int = (min: number, desc = `integer ≥ ${min}`) => z.int().min(min).describe(desc);
const nonEmpty = (desc = 'non-empty string') => z.string().min(1).describe(desc);
const fraction = () => z.number().gt(0).lt(1).describe('number between 0 and 1 (exclusive)');
const nonNegative = () => z.number().min(0).describe('number ≥ 0');
const bool = () => z.boolean().describe('true or false');
const names = (desc = 'list of column names') => z.array(z.string().min(1)).describe(desc);

/** Temporal accepts ms-format strings; we allow the unambiguous subset: a positive number and a unit. */
const DURATION_RE = /^(?:\d+(?:\.\d+)?|\.\d+)(?:ms|s|m|h|d)$/;
const duration = () =>
  z
    .string()
    .regex(DURATION_RE)
    .refine((s) => parseFloat(s) > 0)
    .describe('duration with a unit, such as 500ms, 30s, 10m, 2h or 1d');

const artifactRef = () =>
  z
    .string()
    .refine((s) => {
      try {
        parseRef(s);
        return true;
      } catch {
        return false;
      }
    })
    .describe('artifact reference such as preprocessed_data:reference, name:v3 or project/name.csv:latest');

const artifactName = () =>
  z
    .string()
    .refine((s) => {
      try {
        const parsed = parseRef(s);
        return parsed.name === s;
      } catch {
        return false;
      }
    })
    .describe('artifact name (letters, digits, . _ -)');

const aliasName = () =>
  z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9._-]{0,63}$/)
    .describe('alias name (a letter, then letters, digits, . _ -)');

const STEP_LIST_DESC = `one of ${STEP_NAMES.join(', ')} (or the reference's download, random_forest)`;
const stepName = z.preprocess(stepNameOrAlias, z.enum(STEP_NAMES).describe(STEP_LIST_DESC));

// ---- sections ----------------------------------------------------------------------------------

const mainSection = z.strictObject({
  project_name: nonEmpty().default(DEFAULT_PROJECT),
  experiment_name: nonEmpty().default('dev'),
  /** A list, or (as the reference's CLI passes it) one comma-separated string. */
  execute_steps: z
    .preprocess(
      (v) =>
        typeof v === 'string'
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : v,
      z
        .array(stepName)
        .min(1)
        .refine((steps) => new Set(steps).size === steps.length, 'lists a step twice')
        .describe(`non-empty list of steps, each ${STEP_LIST_DESC}`),
    )
    .default([...STEP_NAMES]),
  random_seed: z.int().min(0).max(0xffffffff).describe('integer between 0 and 4294967295').default(42),
});

const dataSection = z.preprocess(
  renameDataAliases,
  z.strictObject({
    source: nonEmpty('local path, http(s) URL, s3:// URI or sample:genres').default('sample:genres'),
    sample: z
      .strictObject({
        rows: int(1).default(8000),
        seed: int(0).default(42),
      })
      .prefault({}),
    na_values: z.array(z.string()).describe('list of strings').default(['', 'NA', 'NaN']),
    reference_dataset: artifactRef().default('preprocessed_data:reference'),
    ks_alpha: fraction().default(0.05),
    test_size: fraction().default(0.3),
    val_size: fraction().default(0.3),
    /** true = the target (the default), a column name, or false / null = no stratification. */
    stratify: z
      .union([z.boolean(), nonEmpty('column name')])
      .nullable()
      .describe('true (= the target), a column name, or false / null (no stratification)')
      .default(true),
    /** null = a column named target or label, or the sample's label (see datasetTarget). */
    target: nonEmpty('column name').nullable().describe('column name or null').default(null),
  }),
);

const preprocessSection = z.strictObject({
  drop_duplicates: bool().default(true),
  // A text column joined from several columns, built inside the exported inference pipeline (so the
  // model scores raw rows). null = none.
  text_feature: z
    .strictObject({
      name: nonEmpty('column name').default('text_feature'),
      columns: names('non-empty list of column names').min(1),
      separator: z.string().describe('string').default(' '),
    })
    .nullable()
    .describe('{name, columns, separator} or null')
    .default(null),
});

const COLUMN_TYPES = ['number', 'integer', 'string'] as const;
const range = z
  .strictObject({
    min: z.number().describe('number').optional(),
    max: z.number().describe('number').optional(),
  })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min is greater than max');

const checkDataSection = z.strictObject({
  min_rows: int(0).default(50),
  max_rows: int(1).nullable().describe('integer ≥ 1 or null').default(null),
  /**
   * Check the data against the contract inferred from the reference dataset (src/checks/contract/);
   * the dataset-shaped rules below replace its rule for their column. false = the rules below only.
   */
  contract: z.boolean().describe('true or false').default(true),
  // Dataset-shaped rules: empty by default (the data contract then holds every column rule).
  required_columns: z
    .record(z.string(), z.enum(COLUMN_TYPES).describe(`one of ${COLUMN_TYPES.join(', ')}`))
    .default({}),
  known_classes: names('non-empty list of class names or null').min(1).nullable().default(null),
  ranges: z.record(z.string(), range).default({}),
  ks_columns: names('non-empty list of column names or null').min(1).nullable().default(null),
});

/**
 * scikit-learn's RandomForestClassifier parameters, type-checked here; the engine checks their
 * semantics (allowed criterion names, max_features strings, …) and quotes sklearn's own rules.
 */
const randomForestSection = z.strictObject({
  engine: z.enum(['native', 'ml-random-forest']).describe('native or ml-random-forest').default('native'),
  n_estimators: int(1).default(100),
  criterion: nonEmpty('criterion name (gini, entropy, log_loss)').default('gini'),
  max_depth: int(1).nullable().describe('integer ≥ 1 or null').default(13),
  min_samples_split: z.number().gt(0).describe('integer ≥ 2 or fraction in (0, 1]').default(2),
  min_samples_leaf: z.number().gt(0).describe('integer ≥ 1 or fraction in (0, 1)').default(1),
  min_weight_fraction_leaf: z.number().min(0).max(0.5).describe('number between 0 and 0.5').default(0),
  max_features: z
    .union([z.string().min(1), z.number().gt(0)])
    .nullable()
    .describe('sqrt, log2, auto, an integer ≥ 1, a fraction in (0, 1], or null')
    .default('sqrt'),
  max_leaf_nodes: int(2).nullable().describe('integer ≥ 2 or null').default(null),
  min_impurity_decrease: nonNegative().default(0),
  /** Removed in scikit-learn 1.0; the reference config still lists it (as null). */
  min_impurity_split: nonNegative().nullable().describe('number ≥ 0 or null').optional(),
  bootstrap: bool().default(true),
  max_samples: z.number().gt(0).nullable().describe('integer ≥ 1, fraction in (0, 1], or null').default(null),
  oob_score: bool().default(false),
  n_jobs: z.int().nullable().describe('integer (-1 = all cores) or null').default(-1),
  /** Not sklearn's: trees split over this many activities on the task queue (auto = its pollers). */
  shards: z
    .union([int(1), z.literal('auto')])
    .describe('integer ≥ 1 or auto (= the workers polling the task queue)')
    .default(1),
  /** null = main.random_seed (resolved after validation), so runs are reproducible by default. */
  random_state: z
    .int()
    .min(0)
    .max(0xffffffff)
    .nullable()
    .describe('integer between 0 and 4294967295, or null (= main.random_seed)')
    .default(null),
  verbose: int(0).default(0),
  warm_start: bool().default(false),
  class_weight: z
    .union([z.string().min(1), z.record(z.string(), z.number().min(0))])
    .nullable()
    .describe('balanced, balanced_subsample, a map class → weight, or null')
    .default('balanced'),
  ccp_alpha: nonNegative().default(0),
});

const randomForestPipelineSection = z.strictObject({
  random_forest: randomForestSection.prefault({}),
  tfidf: z
    .strictObject({
      max_features: int(1).nullable().describe('integer ≥ 1 or null').default(10),
    })
    .prefault({}),
  // Columns per track; a track left out (or null) is inferred from the training data (src/ml/plan).
  features: z
    .strictObject({
      numerical: names().nullable().describe('list of column names or null (= inferred)').optional(),
      categorical: names().nullable().describe('list of column names or null (= inferred)').optional(),
      nlp: names().nullable().describe('list of column names or null (= inferred)').optional(),
    })
    .nullable()
    .describe('{numerical, categorical, nlp} or null (= inferred)')
    .default(null),
  export_artifact: artifactName().default('model_export'),
});

const METRICS = ['auc_ovo', 'accuracy', 'macro_f1', 'log_loss'] as const;
const TEST_METRICS = METRICS.map((m) => `test_${m}` as const);
const VAL_METRICS = METRICS.map((m) => `val_${m}` as const);

const evaluateSection = z.strictObject({
  metric: z
    .enum(TEST_METRICS)
    .describe(`one of ${TEST_METRICS.join(', ')}`)
    .default('test_auc_ovo'),
  min_delta: nonNegative().default(0),
  promote_alias: aliasName().default('prod'),
  /** `required`: a winning candidate waits for an `approve` / `reject` update before the alias moves. */
  approval: z.enum(['none', 'required']).describe("'none' or 'required'").default('none'),
  /** How long a run waits for approval; then the candidate is not promoted (decision approval_timed_out). */
  approval_timeout: duration().default('7d'),
});

const sweepSection = z.strictObject({
  max_parallel: int(1).default(2),
  metric: z
    .enum([...VAL_METRICS, ...TEST_METRICS])
    .describe(`one of ${[...VAL_METRICS, ...TEST_METRICS].join(', ')}`)
    .default('val_auc_ovo'),
});

const backoff = () => z.number().min(1).describe('number ≥ 1');
const attempts = () => int(0, 'integer ≥ 0 (0 = unlimited)');

const stepDefaults = z.strictObject({
  start_to_close_timeout: duration().default('10m'),
  heartbeat_timeout: duration().nullable().describe('duration such as 30s, or null').default(null),
  retry: z
    .strictObject({
      initial_interval: duration().default('1s'),
      backoff_coefficient: backoff().default(2),
      maximum_interval: duration().default('30s'),
      maximum_attempts: attempts().default(5),
    })
    .prefault({}),
});

/** A step's own settings; what it leaves out comes from steps.defaults. */
const stepSettings = z.strictObject({
  start_to_close_timeout: duration().optional(),
  heartbeat_timeout: duration().nullable().describe('duration such as 30s, or null').optional(),
  retry: z
    .strictObject({
      initial_interval: duration().optional(),
      backoff_coefficient: backoff().optional(),
      maximum_interval: duration().optional(),
      maximum_attempts: attempts().optional(),
    })
    .optional(),
});

const stepsSection = z.preprocess(
  renameStepKeys,
  z.strictObject({
    defaults: stepDefaults.prefault({}),
    get_data: stepSettings.default({}),
    preprocess: stepSettings.default({}),
    check_data: stepSettings.default({}),
    segregate: stepSettings.default({}),
    // Only training heartbeats (trees done of total), so only it may have a heartbeat timeout by default.
    train_random_forest: stepSettings.default({ start_to_close_timeout: '30m', heartbeat_timeout: '30s' }),
    evaluate: stepSettings.default({}),
  }),
);

const storageSection = z.strictObject({
  uri: nonEmpty('folder path or s3://bucket/prefix URI').default('.mlpipe/artifacts'),
  s3: z
    .strictObject({
      endpoint: nonEmpty('URL').nullable().describe('URL or null').default(null),
      region: nonEmpty('region name').nullable().describe('region name or null').default(null),
      force_path_style: bool().default(true),
    })
    .prefault({}),
});

const temporalSection = z.strictObject({
  address: nonEmpty('host:port')
    .nullable()
    .describe('host:port, or null for the embedded dev server')
    .default(null),
  namespace: nonEmpty('namespace').default('default'),
  task_queue: nonEmpty('task queue name').default(TASK_QUEUE),
  /** The longest a scheduled run may take: a stuck run must not block a skip-overlap schedule for ever. */
  schedule_run_timeout: duration().nullable().describe('duration such as 6h or 1d, or null').default('1d'),
  dev_server: z
    .strictObject({
      db_file: nonEmpty('file path').default('.mlpipe/temporal.db'),
      port: int(1, 'port number (1-65535)').max(65535).default(7233),
      ui_port: int(1, 'port number (1-65535)').max(65535).default(8233),
    })
    .prefault({}),
});

/**
 * The optional MLflow tracking sink (src/tracking/mlflow). The URI is a server's http(s) address
 * without credentials: they come from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD,
 * so they never reach the run record or a Temporal payload.
 */
/** A user and password in a URL, replaced before validation so an error message never shows them. */
const redactUserinfo = (v: unknown) =>
  typeof v === 'string' ? v.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@') : v;
const mlflowUriString = () =>
  z
    .string()
    .refine((s) => {
      try {
        const url = new URL(s);
        return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
      } catch {
        return false;
      }
    })
    .describe(
      'http(s) URL of an MLflow tracking server without credentials (also from $MLFLOW_TRACKING_URI; ' +
        'put a user and password in MLFLOW_TRACKING_USERNAME/PASSWORD or a token in MLFLOW_TRACKING_TOKEN), or null',
    );

const trackingSection = z.strictObject({
  mlflow: z
    .strictObject({
      uri: z.preprocess(redactUserinfo, mlflowUriString().nullable()).default(null),
      register_model: nonEmpty('registered model name')
        .nullable()
        .describe('registered model name or null')
        .default(null),
      max_attempts: int(1).default(3),
    })
    .prefault({}),
});

// Alias events (src/events): every alias move but `latest`'s is delivered to these sinks.
const eventsSection = z.strictObject({
  webhooks: z
    .array(
      z.strictObject({
        url: z.url().describe('http(s) URL'),
        // The HMAC-SHA256 key is read from this environment variable, never from config.
        secret_env: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
          .nullable()
          .describe('environment variable name, or null (unsigned)')
          .default(null),
      }),
    )
    .describe('list of {url, secret_env}')
    .default([]),
  temporal: z
    .strictObject({
      workflow_type: nonEmpty('workflow type'),
      workflow_id: nonEmpty('workflow ID'),
      task_queue: nonEmpty('task queue name'),
      signal: nonEmpty('signal name').default('aliasMoved'),
    })
    .nullable()
    .describe('{workflow_type, workflow_id, task_queue, signal} or null')
    .default(null),
  attempts: int(1).default(4),
  initial_interval: duration().default('500ms'),
  timeout: duration().default('5s'),
});

// `mlpipe gc` defaults (src/gc): what garbage collection keeps besides current aliases and lineage.
const gcSection = z.strictObject({
  keep_last: int(0).default(10),
  older_than: duration().default('7d'),
  grace: duration().default('6h'),
});

/** The config as written (before derived values are filled in). */
export const pipelineConfigInputSchema = z.strictObject({
  main: mainSection.prefault({}),
  data: dataSection.prefault({}),
  preprocess: preprocessSection.prefault({}),
  check_data: checkDataSection.prefault({}),
  random_forest_pipeline: randomForestPipelineSection.prefault({}),
  evaluate: evaluateSection.prefault({}),
  sweep: sweepSection.prefault({}),
  steps: stepsSection.prefault({}),
  storage: storageSection.prefault({}),
  temporal: temporalSection.prefault({}),
  tracking: trackingSection.prefault({}),
  events: eventsSection.prefault({}),
  gc: gcSection.prefault({}),
});

/** Validates a config object and fills in derived values (random_state null → main.random_seed). */
export const pipelineConfigSchema = pipelineConfigInputSchema.transform((cfg) => {
  const rf = cfg.random_forest_pipeline.random_forest;
  // The bundled sample knows its own label column; any other table names it or calls it target/label.
  const target = cfg.data.target ?? (cfg.data.source.startsWith('sample:') ? SAMPLE_TARGET : null);
  return {
    ...cfg,
    data: { ...cfg.data, target },
    random_forest_pipeline: {
      ...cfg.random_forest_pipeline,
      random_forest: { ...rf, random_state: rf.random_state ?? cfg.main.random_seed },
    },
  };
});

export type PipelineConfig = z.output<typeof pipelineConfigSchema>;
