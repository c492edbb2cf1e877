/**
 * Values of Hydra-style overrides (`key=value`), parsed as Hydra's override grammar does:
 * - primitives: ints (`42`, `1_000`), floats (`0.5`, `1e-3`, `inf`, `nan`), `true`/`false`, `null`
 *   (all case-insensitive), quoted strings (`'a,b'`, `"x"`), and anything else as a plain string;
 * - containers: lists `[1, 2, 3]` and dicts `{a: 1, b: [x, y]}`, nested freely;
 * - sweeps (multirun only): comma lists `1,2,3`, `range(start, stop[, step])`, `choice(a, b)`.
 *
 * One leniency: a top-level value that is neither quoted nor a container nor a sweep is taken
 * verbatim, so URLs and paths (`https://host/x.csv?raw=true`, `s3://b/k`) need no quoting.
 */

export type HydraValue = null | boolean | number | string | HydraValue[] | { [key: string]: HydraValue };

export type ParsedValue =
  | { kind: 'value'; value: HydraValue }
  /** `texts` are the sweep's choices written as plain override values (`k=<text>`). */
  | { kind: 'sweep'; texts: string[] };

export class OverrideSyntaxError extends Error {
  override name = 'OverrideSyntaxError';
}

const INT_RE = /^[+-]?(?:0|[1-9](?:_?\d)*)$/;
const DIGITS = String.raw`\d(?:_?\d)*`;
const FLOAT_RE = new RegExp(
  String.raw`^[+-]?(?:(?:(?:${DIGITS})?\.${DIGITS}|${DIGITS}\.)(?:[eE][+-]?${DIGITS})?|${DIGITS}[eE][+-]?${DIGITS}|inf|nan)$`,
  'i',
);
/** Characters Hydra lets a backslash escape in unquoted values. */
const ESCAPABLE = new Set(['\\', '(', ')', '[', ']', '{', '}', ':', '=', ',', ' ', '\t']);
/** Hydra's override functions; any other `name(...)` is an ordinary string. */
const SWEEP_FUNCTION_RE =
  /^(range|choice|interval|glob|sort|shuffle|tag|int|float|str|bool)\s*\(([\s\S]*)\)$/;

/** Typed value of an unquoted primitive, e.g. `42` → 42, `null` → null, `abc` → 'abc'. */
export function parsePrimitive(text: string): HydraValue {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (lower === 'null') return null;
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (INT_RE.test(t)) return Number(t.replaceAll('_', ''));
  if (FLOAT_RE.test(t)) {
    const sign = t.startsWith('-') ? -1 : 1;
    if (/inf$/i.test(t)) return sign * Infinity;
    if (/nan$/i.test(t)) return NaN;
    return Number(t.replaceAll('_', ''));
  }
  return t;
}

/** Parses the text after `=`. */
export function parseOverrideValue(text: string): ParsedValue {
  const trimmed = text.trim();
  const fn = SWEEP_FUNCTION_RE.exec(trimmed);
  if (fn && splitTopLevel(trimmed).length === 1)
    return { kind: 'sweep', texts: expandFunction(fn[1], fn[2]) };
  const parts = splitTopLevel(trimmed);
  if (parts.length > 1) {
    for (const part of parts) parseElementText(part); // reject malformed choices early
    return { kind: 'sweep', texts: parts };
  }
  const first = trimmed[0];
  if (first === '[' || first === '{' || first === "'" || first === '"') {
    return { kind: 'value', value: parseElementText(trimmed) };
  }
  return { kind: 'value', value: parsePrimitive(unescape(trimmed)) };
}

/** Parses one complete element (a primitive, a quoted string, a list or a dict). */
function parseElementText(text: string): HydraValue {
  const parser = new ElementParser(text);
  const value = parser.element(new Set());
  parser.expectEnd();
  return value;
}

/** Splits on commas outside quotes, brackets and parentheses (Hydra's sweep separator). */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '{' || c === '(') depth++;
    else if (c === ']' || c === '}' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (quote) throw new OverrideSyntaxError(`unterminated ${quote} quote in ${JSON.stringify(text)}`);
  if (depth !== 0) throw new OverrideSyntaxError(`unbalanced brackets in ${JSON.stringify(text)}`);
  parts.push(text.slice(start).trim());
  return parts;
}

function unescape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length && ESCAPABLE.has(text[i + 1])) out += text[++i];
    else out += text[i];
  }
  return out;
}

function expandFunction(name: string, argsText: string): string[] {
  const args = argsText.trim() === '' ? [] : splitTopLevel(argsText);
  if (name === 'choice') {
    if (args.length === 0) throw new OverrideSyntaxError('choice() needs at least one value');
    for (const a of args) parseElementText(a);
    return args;
  }
  if (name === 'range') return expandRange(args);
  if (name === 'interval') {
    throw new OverrideSyntaxError(
      'interval() needs a sampling sweeper; grid sweeps take comma lists, range() and choice()',
    );
  }
  throw new OverrideSyntaxError(
    `${name}() is not supported; grid sweeps take comma lists, range(start, stop[, step]) and choice(a, b, …)`,
  );
}

/** Hydra's range: like Python's (stop excluded), also over floats. */
function expandRange(args: string[]): string[] {
  const nums = args.map((a) => {
    const v = parsePrimitive(a);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new OverrideSyntaxError(`range() takes numbers, got ${JSON.stringify(a)}`);
    }
    return v;
  });
  if (nums.length < 1 || nums.length > 3) {
    throw new OverrideSyntaxError(`range() takes 1 to 3 numbers (start, stop, step), got ${nums.length}`);
  }
  const [start, stop, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? 1];
  if (step === 0) throw new OverrideSyntaxError('range() step must not be 0');
  const allInts = nums.every(Number.isInteger);
  const out: string[] = [];
  for (let i = 0; ; i++) {
    // start + i * step (not repeated addition) keeps float ranges free of accumulated drift.
    const v = allInts ? start + i * step : Number((start + i * step).toPrecision(12));
    if (step > 0 ? v >= stop : v <= stop) break;
    if (i >= 100_000) throw new OverrideSyntaxError('range() gives more than 100000 values');
    out.push(allInts || !Number.isInteger(v) ? String(v) : v.toFixed(1));
  }
  if (out.length === 0) throw new OverrideSyntaxError(`range(${args.join(', ')}) is empty`);
  return out;
}

/** Recursive-descent parser for one element inside a value: quoted strings, lists, dicts, primitives. */
class ElementParser {
  private i = 0;
  constructor(private readonly text: string) {}

  element(stops: ReadonlySet<string>): HydraValue {
    this.skipSpace();
    const c = this.text[this.i];
    if (c === '[') return this.list();
    if (c === '{') return this.dict();
    if (c === "'" || c === '"') return this.quoted();
    return parsePrimitive(this.unquoted(stops));
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.i < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text.slice(this.i))}`);
  }

  private list(): HydraValue[] {
    this.i++; // [
    const items: HydraValue[] = [];
    this.skipSpace();
    if (this.text[this.i] === ']') {
      this.i++;
      return items;
    }
    for (;;) {
      items.push(this.element(new Set([',', ']'])));
      this.skipSpace();
      const c = this.text[this.i++];
      if (c === ']') return items;
      if (c !== ',') this.fail('expected , or ] in a list');
    }
  }

  private dict(): { [key: string]: HydraValue } {
    this.i++; // {
    const out: { [key: string]: HydraValue } = {};
    this.skipSpace();
    if (this.text[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      const c = this.text[this.i];
      const key = c === "'" || c === '"' ? this.quoted() : this.unquoted(new Set([':', ',', '}'])).trim();
      if (key === '') this.fail('empty key in a dict');
      this.skipSpace();
      if (this.text[this.i++] !== ':') this.fail(`expected : after dict key ${JSON.stringify(key)}`);
      out[key] = this.element(new Set([',', '}']));
      this.skipSpace();
      const next = this.text[this.i++];
      if (next === '}') return out;
      if (next !== ',') this.fail('expected , or } in a dict');
    }
  }

  private quoted(): string {
    const quote = this.text[this.i++];
    let out = '';
    while (this.i < this.text.length) {
      const c = this.text[this.i++];
      if (c === '\\' && (this.text[this.i] === quote || this.text[this.i] === '\\'))
        out += this.text[this.i++];
      else if (c === quote) return out;
      else out += c;
    }
    return this.fail(`unterminated ${quote} quote`);
  }

  private unquoted(stops: ReadonlySet<string>): string {
    let out = '';
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (stops.has(c)) break;
      if (c === '[' || c === ']' || c === '{' || c === '}') this.fail(`unexpected ${c}`);
      if (c === '\\' && ESCAPABLE.has(this.text[this.i + 1])) {
        out += this.text[this.i + 1];
        this.i += 2;
        continue;
      }
      out += c;
      this.i++;
    }
    return out.trim();
  }

  private skipSpace(): void {
    while (this.text[this.i] === ' ' || this.text[this.i] === '\t') this.i++;
  }

  private fail(message: string): never {
    throw new OverrideSyntaxError(`${message} (at position ${this.i} of ${JSON.stringify(this.text)})`);
  }
}
