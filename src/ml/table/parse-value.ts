/** Text → number rules shared by the CSV reader and the record/CSV paths of the scoring server. */

export const DEFAULT_NA_VALUES: readonly string[] = ['', 'NA', 'NaN', 'null'];

const INTEGER = /^\s*[+-]?\d+\s*$/;

function special(t: string): number {
  switch (t) {
    case 'inf':
    case '+inf':
    case 'Infinity':
    case '+Infinity':
      return Infinity;
    case '-inf':
    case '-Infinity':
      return -Infinity;
    default:
      return NaN;
  }
}

/**
 * Parses a decimal number as pandas would; NaN when the text is not a number. Number() is the fast
 * path; what it accepts and pandas does not (blank text, 0x/0b/0o literals) is rejected afterwards.
 */
export function parseNumber(text: string): number {
  if (text.length === 0) return NaN;
  const v = Number(text);
  if (Number.isNaN(v)) return special(text.trim());
  // Only text that starts with whitespace or "0" needs a second look.
  const c0 = text.charCodeAt(0);
  if (c0 !== 48 && c0 > 32) return v;
  const t = c0 === 48 ? text : text.trim();
  if (t.length === 0) return NaN;
  if (t.length > 1 && t.charCodeAt(0) === 48) {
    const c = t.charCodeAt(1) | 0x20; // lower-cased
    if (c === 0x78 || c === 0x62 || c === 0x6f) return NaN; // 0x…, 0b…, 0o… literals
  }
  return v;
}

/** True when the text is an integer literal (so the column reads as long, like pandas' int64). */
export function isIntegerText(text: string): boolean {
  return INTEGER.test(text);
}
