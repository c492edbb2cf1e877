/**
 * The reference project's names, accepted unchanged: `data.file_url` for data.source, and the step
 * names `download` and `random_forest` (STEP_ALIASES) in main.execute_steps, steps.* and override keys.
 */
import type { z } from 'zod';
import { STEP_ALIASES, STEP_NAMES, type StepName } from '../contract';
import { ConfigError } from './errors';
import { deepEqual, isPlainObject, type PlainObject } from './plain';

type Ctx = z.core.$RefinementCtx;

export function normalizeStepName(name: string): StepName {
  const s = name.trim();
  if ((STEP_NAMES as readonly string[]).includes(s)) return s as StepName;
  const alias = STEP_ALIASES[s];
  if (alias) return alias;
  throw new ConfigError(
    `unknown step ${JSON.stringify(name)}: expected one of ${STEP_NAMES.join(', ')} (or the reference's ${Object.keys(STEP_ALIASES).join(', ')})`,
  );
}

/** Schema preprocessor: maps a reference step name to ours, leaves anything else for the enum to judge. */
export function stepNameOrAlias(v: unknown): unknown {
  return typeof v === 'string' && Object.hasOwn(STEP_ALIASES, v.trim()) ? STEP_ALIASES[v.trim()] : v;
}

/** Renames `alias` to `canonical` in an object; giving both (with different values) is an issue. */
function renameKey(v: unknown, alias: string, canonical: string, what: string, ctx?: Ctx): unknown {
  if (!isPlainObject(v) || !Object.hasOwn(v, alias)) return v;
  const { [alias]: value, ...rest } = v;
  if (!Object.hasOwn(v, canonical)) return { ...rest, [canonical]: value };
  if (deepEqual(v[canonical], value)) return rest;
  ctx?.addIssue({
    code: 'custom',
    path: [alias],
    input: value,
    message: `is the reference's name for ${what}; give only one of the two`,
  });
  return v;
}

export function renameDataAliases(v: unknown, ctx?: Ctx): unknown {
  return renameKey(v, 'file_url', 'source', 'data.source', ctx);
}

export function renameStepKeys(v: unknown, ctx?: Ctx): unknown {
  let out = v;
  for (const [alias, step] of Object.entries(STEP_ALIASES))
    out = renameKey(out, alias, step, `steps.${step}`, ctx);
  return out;
}

/** Applies the aliases to a whole config object (a file's content or a patch) before merging. */
export function normalizeConfigAliases(cfg: unknown): unknown {
  if (!isPlainObject(cfg)) return cfg;
  const out: PlainObject = { ...cfg };
  if ('data' in out) out.data = renameDataAliases(out.data);
  if ('steps' in out) out.steps = renameStepKeys(out.steps);
  return out;
}

/** The canonical form of an override key path (`data.file_url` → `data.source`). */
export function canonicalKeyPath(path: string): string {
  const segs = path.split('.');
  if (segs[0] === 'data' && segs[1] === 'file_url') segs[1] = 'source';
  if (segs[0] === 'steps' && segs.length > 1 && Object.hasOwn(STEP_ALIASES, segs[1]))
    segs[1] = STEP_ALIASES[segs[1]];
  return segs.join('.');
}
