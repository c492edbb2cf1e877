/**
 * scikit-learn's default analyzer: lowercase, then the tokens of `(?u)\b\w\w+\b`. Python's Unicode \w
 * is letters, numbers and underscore, so a token is a maximal run of at least two of [\p{L}\p{N}_]
 * (JavaScript's own \w is ASCII-only and would split "café").
 */
const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

export function tokenize(text: string, lowercase = true): string[] {
  return (lowercase ? text.toLowerCase() : text).match(TOKEN) ?? [];
}
