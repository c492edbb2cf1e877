/**
 * Validation with messages a user can act on: every problem in one ConfigError, each naming its key
 * path, what was expected (the schema leaf's description) and what was found; an unknown key gets a
 * "did you mean" when a known key is close.
 */
import { z } from 'zod';
import { ForestParameterError, checkParams as checkForestParams } from '../ml/forest/params';
import { ConfigError, type ConfigIssue } from './errors';
import { pipelineConfigInputSchema, pipelineConfigSchema, type PipelineConfig } from './schema';
import { closest } from './suggest';

type Schema = z.core.$ZodType;
type Def = { type: string; [k: string]: unknown };

/** Marks issues that carry no message of the schema's own, so that we write one. */
const NO_MESSAGE = '\u0000';

export function validateConfig(input: unknown, source: string): PipelineConfig {
  const result = pipelineConfigSchema.safeParse(input, { reportInput: true, error: () => NO_MESSAGE });
  const issues = result.success ? forestIssues(result.data) : result.error.issues.flatMap(toConfigIssues);
  if (result.success && issues.length === 0) return result.data;
  issues.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  throw new ConfigError(`Invalid pipeline config (${source}):`, issues);
}

/**
 * The native forest's own rules for its hyperparameters (allowed criterion names, max_features
 * strings, class_weight values, …), checked with the config so that a bad value stops the run
 * before its first step rather than at the train step. Other engines check theirs when they fit.
 */
function forestIssues(config: PipelineConfig): ConfigIssue[] {
  // `shards` says how the fit is spread over workers, not what it fits: not a forest hyperparameter.
  const { engine, shards, ...params } = config.random_forest_pipeline.random_forest;
  if (engine !== 'native') {
    return shards === 1
      ? []
      : [
          {
            path: 'random_forest_pipeline.random_forest.shards',
            message: `sharded training needs engine native, not ${engine}; set shards to 1`,
          },
        ];
  }
  try {
    checkForestParams(params);
    return [];
  } catch (err) {
    if (!(err instanceof ForestParameterError)) throw err;
    const prefix = `random forest hyperparameter "${err.key}" `;
    return [
      {
        path: formatPath(['random_forest_pipeline', 'random_forest', err.key]),
        message: err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message,
      },
    ];
  }
}

function toConfigIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: formatPath([...path, key]),
      message: unknownKeyMessage(path, key),
    }));
  }
  const where = formatPath(path);
  if (issue.message !== NO_MESSAGE) return [{ path: where, message: issue.message }];
  const expected = descriptionAt(path) ?? expectation(issue);
  return [{ path: where, message: `expected ${expected}, got ${show(issue.input)}` }];
}

function unknownKeyMessage(parent: (string | number)[], key: string): string {
  const siblings = knownKeys(schemaAt(parent));
  const near = closest(key, siblings);
  if (near) return `unknown key; did you mean ${formatPath([...parent, near])}?`;
  const elsewhere = allKeyPaths(pipelineConfigInputSchema).filter((p) => p.endsWith(`.${key}`));
  if (elsewhere.length) return `unknown key here; ${key} belongs in ${elsewhere.join(' or ')}`;
  return siblings.length ? `unknown key; known keys here: ${siblings.join(', ')}` : 'unknown key';
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: 'integer',
  object: 'a section (key: value mapping)',
  array: 'list',
};

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? issue.expected;
    case 'too_small':
      return issue.origin === 'array'
        ? `at least ${issue.minimum} items`
        : `${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `at most ${issue.maximum} items`
        : `${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => String(v)).join(', ')}`;
    default:
      return 'a valid value';
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
}

// ---- walking the schema by key path -----------------------------------------------------------

const def = (s: Schema): Def => s._zod.def as unknown as Def;

/** The schema and its wrappers' inner schemas, outermost first. */
function* wrappers(s: Schema | undefined): Generator<Schema> {
  let cur = s;
  while (cur) {
    yield cur;
    const d = def(cur);
    if (
      ['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(d.type)
    ) {
      cur = d.innerType as Schema;
    } else if (d.type === 'pipe') {
      // z.preprocess: transform → schema; .transform(): schema → transform.
      cur = def(d.in as Schema).type === 'transform' ? (d.out as Schema) : (d.in as Schema);
    } else return;
  }
}

function childOf(s: Schema | undefined, seg: string | number): Schema | undefined {
  for (const w of wrappers(s)) {
    const d = def(w);
    if (d.type === 'object') return (d.shape as Record<string, Schema>)[seg];
    if (d.type === 'record') return d.valueType as Schema;
    if (d.type === 'array') return d.element as Schema;
  }
  return undefined;
}

function schemaAt(path: readonly (string | number)[]): Schema | undefined {
  let s: Schema | undefined = pipelineConfigInputSchema;
  for (const seg of path) s = childOf(s, seg);
  return s;
}

function descriptionAt(path: readonly (string | number)[]): string | undefined {
  for (const w of wrappers(schemaAt(path))) {
    const text = z.globalRegistry.get(w)?.description;
    if (text) return text;
  }
  return undefined;
}

function knownKeys(s: Schema | undefined): string[] {
  for (const w of wrappers(s)) if (def(w).type === 'object') return Object.keys(def(w).shape as object);
  return [];
}

function allKeyPaths(s: Schema, prefix = ''): string[] {
  return knownKeys(s).flatMap((k) => {
    const p = prefix ? `${prefix}.${k}` : k;
    const child = childOf(s, k);
    return [p, ...(child ? allKeyPaths(child, p) : [])];
  });
}
