/**
 * scikit-learn's default analyzer: lowercase, then the tokens of `(?u)\b\w\w+\b`. Python's Unicode \w
 * is letters, numbers and underscore, so a token is a maximal run of at least two of [\p{L}\p{N}_]
 * (JavaScript's own \w is ASCII-only and would split "café").
 */
const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

export function tokenize(text: string, lowercase = true): string[] {
  const s = lowercase ? text.toLowerCase() : text;
  return asciiTokens(s) ?? s.match(TOKEN) ?? [];
}

/**
 * The same tokens for a text that is all ASCII, by one scan of its character codes, else null.
 * In ASCII, \p{L} and \p{N} are exactly [A-Za-z] and [0-9], so the scan and the expression agree;
 * any other text takes the expression. Most titles are ASCII, and the scan is several times faster
 * than the Unicode expression (tokenizing is most of the text track's fit and transform).
 */
function asciiTokens(s: string): string[] | null {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return null;
    if (WORD[c] === 1) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start >= 2) out.push(s.slice(start, i));
      start = -1;
    }
  }
  if (start >= 0 && s.length - start >= 2) out.push(s.slice(start));
  return out;
}

/** 1 for the ASCII word characters [A-Za-z0-9_]. */
const WORD = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    t[c] = /[A-Za-z0-9_]/.test(ch) ? 1 : 0;
  }
  return t;
})();
