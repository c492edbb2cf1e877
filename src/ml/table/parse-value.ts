/** Text → number rules shared by the CSV reader and the record/CSV paths of the scoring server. */

export const DEFAULT_NA_VALUES: readonly string[] = ['', 'NA', 'NaN', 'null'];

const INTEGER = /^[+-]?\d+$/;
const SPECIAL: Readonly<Record<string, number>> = {
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  Infinity: Infinity,
  '+Infinity': Infinity,
  '-Infinity': -Infinity,
};

/** Parses a decimal number as pandas would; NaN when the text is not a number. */
export function parseNumber(text: string): number {
  const t = text.trim();
  if (t === '') return NaN;
  const special = SPECIAL[t];
  if (special !== undefined) return special;
  // Number() accepts hex/binary/octal literals, pandas does not.
  const c = t.charCodeAt(t.length - 1);
  if (t.length > 1 && t[0] === '0' && (t[1] === 'x' || t[1] === 'X' || t[1] === 'b' || t[1] === 'o'))
    return NaN;
  if (!((c >= 48 && c <= 57) || c === 46)) return NaN; // must end in a digit or '.'
  return Number(t);
}

export function isIntegerText(text: string): boolean {
  return INTEGER.test(text.trim());
}
