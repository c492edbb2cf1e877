/**
 * Property-based fuzzing of the config override parser: any text given to `--set` either loads a valid
 * config or is refused with one ConfigError naming the override; never another exception (a TypeError
 * from deep inside, a stack overflow, a hang).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { ConfigError, loadConfig, parseOverride } from '../../src/config';
import { fuzzBudget } from './budget';

const KEYS = [
  'data.source',
  'data.test_size',
  'data.target',
  'data.na_values',
  'check_data.min_rows',
  'check_data.ranges',
  'check_data.known_classes',
  'random_forest_pipeline.random_forest.n_estimators',
  'random_forest_pipeline.random_forest.max_depth',
  'random_forest_pipeline.random_forest.class_weight',
  'random_forest_pipeline.features',
  'steps.defaults.retry.maximum_attempts',
  'main.execute_steps',
  'temporal.dev_server.port',
  'temporal.schedule_run_timeout',
];

const hydraish = fc.stringMatching(/^[-+~\w.:,[\]{}()"' =@$\\\u00e9\u2028]{0,40}$/);
const value = fc.oneof(
  hydraish,
  fc.string(),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(
    'null',
    '[]',
    '{}',
    '[a,[b,{c: 1}]]',
    '{a: {b: [1,2,}}',
    'range(1,4)',
    'choice(a,b)',
    '"\\"',
    "'",
    '${x}',
    'inf',
    '-nan',
  ),
);
const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 1, arbitrary: fc.stringMatching(/^[\w.[\]0-9~+-]{0,30}$/) },
  { weight: 1, arbitrary: fc.string() },
);
const override = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(fc.constantFrom('', '+', '++', '~'), key, value).map(([p, k, v]) => `${p}${k}=${v}`),
  },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: key.map((k) => `~${k}`) },
);

function onlyConfigErrors(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) {
      assert.ok(err.message.length > 0);
      return;
    }
    throw new Error(`not a ConfigError: ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}

void it('parses or refuses any override text with a ConfigError', { timeout: 45 * 60_000 }, () => {
  let refused = 0;
  let loaded = 0;
  fc.assert(
    fc.property(fc.array(override, { minLength: 1, maxLength: 4 }), (overrides) => {
      for (const o of overrides) onlyConfigErrors(() => parseOverride(o));
      onlyConfigErrors(() => {
        loadConfig({ overrides });
        loaded++;
      });
      refused++;
    }),
    fuzzBudget(2000),
  );
  console.log(`[fuzz] overrides: ${refused} lists tried, ${loaded} loaded a valid config`);
});
