/**
 * Hydra-style command-line overrides on a config object:
 * - `a.b.c=value`  changes an existing key (an error if the key does not exist);
 * - `+a.b.c=value` adds a key that does not exist yet;
 * - `++a.b.c=value` sets it either way;
 * - `~a.b.c` deletes it (`~a.b.c=value` only if it currently has that value).
 * Values are typed as Hydra types them (see hydra-value.ts). A dict value merges into an existing
 * dict, as Hydra's merge does; anything else replaces. Numeric path segments index into lists.
 */
import { ConfigError, type ConfigIssue } from './errors';
import { OverrideSyntaxError, parseOverrideValue, type HydraValue, type ParsedValue } from './hydra-value';
import { replacesWhole as replaces } from './merge-rules';
import { deepEqual, deepMerge, isPlainObject, type PlainObject } from './plain';
import { closest } from './suggest';

export type OverrideAction = 'set' | 'add' | 'force' | 'delete';

export interface ParsedOverride {
  /** The override as written. */
  text: string;
  /** `''`, `'+'`, `'++'` or `'~'`. */
  prefix: string;
  action: OverrideAction;
  key: string;
  /** Absent only for a bare deletion (`~key`). */
  value?: ParsedValue;
  /** The text after `=`, as written. */
  valueText?: string;
}

const OVERRIDE_RE = /^(~|\+\+|\+)?([A-Za-z_][\w-]*(?:\.[\w-]+)*)(?:=([\s\S]*))?$/;
const ACTIONS: Record<string, OverrideAction> = { '': 'set', '+': 'add', '++': 'force', '~': 'delete' };

export function parseOverride(text: string): ParsedOverride {
  const m = OVERRIDE_RE.exec(text.trim());
  if (!m) {
    throw new ConfigError(
      `invalid override ${JSON.stringify(text)}: expected key=value, +key=value, ++key=value or ~key (key: dotted names such as data.test_size)`,
    );
  }
  const [, prefix = '', key, valueText] = m;
  const action = ACTIONS[prefix];
  if (valueText === undefined && action !== 'delete') {
    throw new ConfigError(`invalid override ${JSON.stringify(text)}: missing =value`);
  }
  let value: ParsedValue | undefined;
  if (valueText !== undefined) {
    try {
      value = parseOverrideValue(valueText);
    } catch (err) {
      if (err instanceof OverrideSyntaxError)
        throw new ConfigError(`invalid override ${JSON.stringify(text)}: ${err.message}`);
      throw err;
    }
  }
  return { text, prefix, action, key, value, valueText };
}

export interface ApplyOverridesOptions {
  /** Maps a key to its canonical form before applying (config aliases such as data.file_url). */
  canonicalKey?: (key: string) => string;
}

/**
 * Returns a copy of `obj` with the overrides applied in order (`obj` is not modified). Every bad
 * override is reported, in one ConfigError.
 */
export function applyOverrides(
  obj: Record<string, unknown>,
  overrides: readonly string[],
  options: ApplyOverridesOptions = {},
): PlainObject {
  let out: PlainObject = structuredClone(obj);
  const issues: ConfigIssue[] = [];
  for (const text of overrides) {
    try {
      const parsed = parseOverride(text);
      if (options.canonicalKey) parsed.key = options.canonicalKey(parsed.key);
      out = applyParsed(out, parsed);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push({ path: '', message: err.message });
    }
  }
  if (issues.length) throw new ConfigError(`Cannot apply ${plural(issues.length, 'override')}:`, issues);
  return out;
}

function applyParsed(root: PlainObject, o: ParsedOverride): PlainObject {
  const path = o.key.split('.');
  const value = o.value && plainValue(o);
  const createParents = o.action === 'add' || o.action === 'force';
  let node: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i];
    let next = getChild(node, seg);
    if (next === undefined && createParents && isPlainObject(node)) {
      next = {};
      node[seg] = next;
    }
    if (!isPlainObject(next) && !Array.isArray(next)) {
      const where = path.slice(0, i + 1).join('.');
      throw new ConfigError(
        next === undefined
          ? `${o.text}: no key ${where} in the config${hint(node, seg, path.slice(0, i))}`
          : `${o.text}: ${where} is ${describe(next)}, not a section`,
      );
    }
    node = next;
  }
  const last = path[path.length - 1];
  const exists = getChild(node, last) !== undefined;
  switch (o.action) {
    case 'set':
      if (!exists) {
        throw new ConfigError(
          `${o.text}: no key ${o.key} in the config${hint(node, last, path.slice(0, -1))}; to add it, write +${o.key}=${o.valueText}`,
        );
      }
      setChild(
        node,
        last,
        isPlainObject(value) ? deepMerge(getChild(node, last), value, replaces, path) : value,
        o,
      );
      break;
    case 'add':
      if (exists)
        throw new ConfigError(
          `${o.text}: ${o.key} is already set; to change it, write ${o.key}=${o.valueText}`,
        );
      setChild(node, last, value, o);
      break;
    case 'force':
      setChild(
        node,
        last,
        exists && isPlainObject(value) ? deepMerge(getChild(node, last), value, replaces, path) : value,
        o,
      );
      break;
    case 'delete':
      if (!exists)
        throw new ConfigError(`${o.text}: no key ${o.key} to delete${hint(node, last, path.slice(0, -1))}`);
      if (o.value && !deepEqual(getChild(node, last), value)) {
        throw new ConfigError(
          `${o.text}: ${o.key} is ${JSON.stringify(getChild(node, last))}, not ${o.valueText}`,
        );
      }
      deleteChild(node, last);
      break;
  }
  return root;
}

function plainValue(o: ParsedOverride): HydraValue {
  if (o.value?.kind === 'sweep') {
    throw new ConfigError(
      `${o.text}: several values (${o.value.texts.join(' | ')}) make a sweep; run it with \`mlpipe sweep\`, ` +
        `or write a list as ${o.key}=[${o.valueText}] or a string as ${o.key}='${o.valueText}'`,
    );
  }
  return o.value?.kind === 'value' ? o.value.value : null;
}

function getChild(node: unknown, seg: string): unknown {
  if (Array.isArray(node)) return /^\d+$/.test(seg) ? node[Number(seg)] : undefined;
  if (isPlainObject(node)) return Object.hasOwn(node, seg) ? node[seg] : undefined;
  return undefined;
}

function setChild(node: unknown, seg: string, value: unknown, o: ParsedOverride): void {
  if (Array.isArray(node)) {
    if (!/^\d+$/.test(seg) || Number(seg) > node.length) {
      throw new ConfigError(`${o.text}: ${seg} is not an index of a list of ${node.length}`);
    }
    node[Number(seg)] = value;
  } else (node as PlainObject)[seg] = value;
}

function deleteChild(node: unknown, seg: string): void {
  if (Array.isArray(node)) node.splice(Number(seg), 1);
  else delete (node as PlainObject)[seg];
}

function hint(node: unknown, seg: string, parent: string[]): string {
  if (!isPlainObject(node)) return '';
  const near = closest(seg, Object.keys(node));
  return near ? ` (did you mean ${[...parent, near].join('.')}?)` : '';
}

function describe(v: unknown): string {
  return v === null ? 'null' : `the value ${JSON.stringify(v)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
