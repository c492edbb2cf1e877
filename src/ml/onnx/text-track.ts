/**
 * The text track as ONNX: lowercase (StringNormalizer), the tokens of `[\p{L}\p{N}_]{2,}` (what the
 * native tokenizer and scikit-learn's `(?u)\b\w\w+\b` take; com.microsoft Tokenizer, RE2 syntax), the
 * fitted vocabulary's counts (TfIdfVectorizer, TF mode), then in double: binary counts, × idf, l2 norm.
 *
 * A joined text feature (`a + sep + b`) is never built as a string: when the separator has no word
 * character, the tokens of the joined text are the tokens of each part, so the parts are tokenized
 * and their tokens concatenated (a bag of words does not see the order).
 */
import { type TfidfVectorizerState } from '../transformers/tfidf-vectorizer';
import { type ColumnValue, type Constants, OnnxExportError } from './column';
import { type GraphBuilder } from './graph';

export const MS_DOMAIN = 'com.microsoft';
const TOKEN_RE2 = '[\\p{L}\\p{N}_]{2,}';
/** Pads the token matrix; it cannot be a vocabulary term, which is made of word characters only. */
const PAD = '#';
const WORD = /[\p{L}\p{N}_]/u;
/**
 * StringNormalizer lowercases through a C++ locale, named in the model. Its default, en_US.UTF-8, is
 * missing from most containers and then the session fails to load; C.UTF-8 is in every glibc and
 * musl system (Debian, Ubuntu, Alpine, the python images) and lowercases all of Unicode there.
 */
export const LOCALE = 'C.UTF-8';

/** Checks that a joined feature's tokens are its parts' tokens. */
export function checkSeparator(separator: string, feature: string): void {
  if (WORD.test(separator)) {
    throw new OnnxExportError(
      `text feature "${feature}": its separator ${JSON.stringify(separator)} has a word character, so ` +
        'words of two columns could join into one token; the ONNX export needs a separator of spaces or punctuation',
    );
  }
}

/** The tokens of one string column ([N, 1] or [N]) as a [N, T] string matrix. */
function tokens(g: GraphBuilder, k: Constants, x: ColumnValue, lowercase: boolean): string {
  let v = g.op('Reshape', [x.name, k.vectorShape]);
  if (lowercase)
    v = g.op('StringNormalizer', [v], { case_change_action: 'LOWER', is_case_sensitive: 1, locale: LOCALE });
  return g.op('Tokenizer', [v], { mark: 0, mincharnum: 2, pad_value: PAD, tokenexp: TOKEN_RE2 }, MS_DOMAIN);
}

export function convertTfidf(
  g: GraphBuilder,
  k: Constants,
  parts: readonly ColumnValue[],
  state: TfidfVectorizerState,
  column: string,
): ColumnValue {
  for (const p of parts) {
    if (p.elem !== 'string')
      throw new OnnxExportError(`column "${column}": TfidfVectorizer on a numeric column`);
  }
  const toks = parts.map((p) => tokens(g, k, p, state.lowercase));
  const all = toks.length === 1 ? toks[0] : g.op('Concat', toks, { axis: 1 });
  const V = state.vocabulary.length;
  const counts = g.op('TfIdfVectorizer', [all], {
    mode: 'TF',
    min_gram_length: 1,
    max_gram_length: 1,
    max_skip_count: 0,
    ngram_counts: { ints: [0] },
    ngram_indexes: { ints: Array.from({ length: V }, (_, i) => i) },
    pool_strings: { strings: state.vocabulary },
  });
  let tf = g.op('Cast', [counts], { to: 11 });
  if (state.binary) tf = g.op('Min', [tf, k.double(1)]);
  const idf = g.constant(`${column}_idf`, 'double', [1, V], state.idf);
  let w = g.op('Mul', [tf, idf]);
  if (state.norm === 'l2') {
    const ss = g.op('ReduceSumSquare', [w], { axes: { ints: [1] }, keepdims: 1 });
    const inv = g.op('Reciprocal', [g.op('Sqrt', [ss])]);
    const scaled = g.op('Mul', [w, inv]);
    w = g.op('Where', [g.op('Greater', [ss, k.double(0)]), scaled, w]);
  } else if (state.norm !== null) {
    throw new OnnxExportError(
      `column "${column}": norm ${JSON.stringify(state.norm)} has no ONNX conversion`,
    );
  }
  return { name: w, elem: 'double', width: V };
}
