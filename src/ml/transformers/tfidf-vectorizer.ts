/**
 * TfidfVectorizer (scikit-learn defaults: smooth idf, l2 norm) with `binary` and `max_features`.
 * Vocabulary: every token, sorted by code point; with max_features, the terms with the highest corpus
 * frequency (document frequency when binary, as sklearn counts after binarising) win, ties going to the
 * alphabetically first term (a stable sort over the sorted vocabulary); the kept terms stay in
 * alphabetical order. idf = ln((1 + n) / (1 + df)) + 1.
 */
import { tokenize } from './tokenize';
import { type Values, compareCodePoints, isNumeric, stateNumber } from './values';

export interface TfidfVectorizerSpec {
  kind: 'tfidf_vectorizer';
  binary?: boolean;
  max_features?: number | null;
  lowercase?: boolean;
  norm?: 'l2' | null;
}

export interface TfidfVectorizerState {
  kind: 'tfidf_vectorizer';
  vocabulary: string[];
  idf: number[];
  binary: boolean;
  lowercase: boolean;
  norm: 'l2' | null;
}

function documents(v: Values, column: string): readonly (string | null)[] {
  if (isNumeric(v)) throw new Error(`column "${column}": TfidfVectorizer needs a string column`);
  return v;
}

export class FittedTfidfVectorizer {
  readonly kind = 'tfidf_vectorizer';
  /** Term → column, compiled once so that transform is one Map lookup per token. */
  private readonly index: ReadonlyMap<string, number>;
  private readonly weights: Float64Array;
  private readonly counts: Float64Array;

  constructor(
    readonly vocabulary: readonly string[],
    readonly idf: Float64Array,
    readonly binary: boolean,
    readonly lowercase: boolean,
    readonly norm: 'l2' | null,
  ) {
    this.index = new Map(vocabulary.map((t, i) => [t, i]));
    this.weights = new Float64Array(vocabulary.length);
    this.counts = new Float64Array(vocabulary.length);
  }

  get width(): number {
    return this.vocabulary.length;
  }

  /** The weights of a tokenized document into `row` (length = vocabulary size). */
  weighTokens(tokens: readonly string[], row: Float64Array): void {
    const counts = this.counts;
    counts.fill(0);
    for (const tok of tokens) {
      const j = this.index.get(tok);
      if (j !== undefined) counts[j] = this.binary ? 1 : counts[j] + 1;
    }
    let ss = 0;
    for (let j = 0; j < counts.length; j++) {
      const w = counts[j] * this.idf[j];
      row[j] = w;
      ss += w * w;
    }
    if (this.norm === 'l2' && ss > 0) {
      const inv = 1 / Math.sqrt(ss);
      for (let j = 0; j < row.length; j++) row[j] *= inv;
    }
  }

  /**
   * Short texts repeat (about half the reference test set's titles are duplicates), so each
   * distinct document is tokenized once per call; a repeat copies the row it first appeared in.
   */
  transform(v: Values, column: string): Values[] {
    const docs = documents(v, column);
    return this.weighCorpus(tokenizedCorpus(docs, this.lowercase), docs.length);
  }

  /** One output column per term: every distinct document weighed once, copied to its rows. */
  weighCorpus(corpus: TokenizedCorpus, nRows: number): Float64Array[] {
    const k = this.vocabulary.length;
    const outs = Array.from({ length: k }, () => new Float64Array(nRows));
    const row = this.weights;
    for (let d = 0; d < corpus.tokens.length; d++) {
      this.weighTokens(corpus.tokens[d], row);
      for (const i of corpus.rows[d]) for (let j = 0; j < k; j++) outs[j][i] = row[j];
    }
    return outs;
  }

  featureNames(_column: string): string[] {
    return [...this.vocabulary];
  }

  toState(): TfidfVectorizerState {
    return {
      kind: this.kind,
      vocabulary: [...this.vocabulary],
      idf: Array.from(this.idf),
      binary: this.binary,
      lowercase: this.lowercase,
      norm: this.norm,
    };
  }

  static fromState(s: TfidfVectorizerState): FittedTfidfVectorizer {
    if (!Array.isArray(s.vocabulary) || !s.vocabulary.every((t) => typeof t === 'string')) {
      throw new Error('invalid model state: tfidf vocabulary');
    }
    if (!Array.isArray(s.idf) || s.idf.length !== s.vocabulary.length)
      throw new Error('invalid model state: tfidf idf');
    const idf = Float64Array.from(s.idf.map((x, i) => stateNumber(x, `tfidf idf[${i}]`)));
    return new FittedTfidfVectorizer(
      s.vocabulary,
      idf,
      s.binary === true,
      s.lowercase !== false,
      s.norm ?? null,
    );
  }
}

export function fitTfidfVectorizer(
  v: Values,
  spec: TfidfVectorizerSpec,
  column: string,
): FittedTfidfVectorizer {
  return fitCorpus(tokenizedCorpus(documents(v, column), spec.lowercase ?? true), spec, column);
}

/**
 * Fits on the column and returns its features too, as `transform` would give them, tokenizing each
 * distinct document once for both (the fit of a pipeline needs the training features right after).
 */
export function fitTransformTfidfVectorizer(
  v: Values,
  spec: TfidfVectorizerSpec,
  column: string,
): { step: FittedTfidfVectorizer; outs: Float64Array[] } {
  const docs = documents(v, column);
  const corpus = tokenizedCorpus(docs, spec.lowercase ?? true);
  const step = fitCorpus(corpus, spec, column);
  return { step, outs: step.weighCorpus(corpus, docs.length) };
}

/** The distinct documents' tokens, and the rows each distinct document appears in. */
interface TokenizedCorpus {
  tokens: string[][];
  rows: number[][];
}

function tokenizedCorpus(docs: readonly (string | null)[], lowercase: boolean): TokenizedCorpus {
  // A missing document counts as "" (the reference imputes it so before the vectorizer).
  const index = new Map<string, number>();
  const tokens: string[][] = [];
  const rows: number[][] = [];
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i] ?? '';
    let d = index.get(doc);
    if (d === undefined) {
      d = tokens.length;
      index.set(doc, d);
      tokens.push(tokenize(doc, lowercase));
      rows.push([]);
    }
    rows[d].push(i);
  }
  return { tokens, rows };
}

function fitCorpus(
  corpus: TokenizedCorpus,
  spec: TfidfVectorizerSpec,
  column: string,
): FittedTfidfVectorizer {
  const binary = spec.binary ?? false;
  const lowercase = spec.lowercase ?? true;
  const norm = spec.norm === undefined ? 'l2' : spec.norm;
  const maxFeatures = spec.max_features ?? null;
  if (maxFeatures !== null && !(Number.isInteger(maxFeatures) && maxFeatures > 0)) {
    throw new Error(
      `tfidf.max_features must be a positive integer or null, got ${JSON.stringify(maxFeatures)}`,
    );
  }
  // Counts over the whole column: a distinct document counts once per row it appears in.
  const df = new Map<string, number>();
  const tf = new Map<string, number>();
  let n = 0;
  for (let d = 0; d < corpus.tokens.length; d++) {
    const times = corpus.rows[d].length;
    n += times;
    const seen = new Set<string>();
    for (const t of corpus.tokens[d]) {
      if (!binary) tf.set(t, (tf.get(t) ?? 0) + times);
      if (!seen.has(t)) {
        seen.add(t);
        df.set(t, (df.get(t) ?? 0) + times);
      }
    }
  }
  if (df.size === 0) {
    throw new Error(
      `column "${column}": empty vocabulary; perhaps the documents only contain stop words or are empty`,
    );
  }
  const vocab =
    maxFeatures !== null && df.size > maxFeatures
      ? mostFrequent(binary ? df : tf, maxFeatures)
      : [...df.keys()].sort(compareCodePoints);
  const idf = Float64Array.from(vocab, (t) => Math.log((1 + n) / (1 + (df.get(t) as number))) + 1);
  return new FittedTfidfVectorizer(vocab, idf, binary, lowercase, norm);
}

/**
 * The k most frequent tokens, ties broken by code-point order, returned in code-point order: what
 * sorting the whole alphabetical vocabulary by descending frequency (stably) and keeping k gives,
 * without sorting every token of the corpus twice.
 */
function mostFrequent(freq: Map<string, number>, k: number): string[] {
  const counts = Int32Array.from(freq.values()).sort();
  const cutoff = counts[counts.length - k];
  const above: string[] = [];
  const tied: string[] = [];
  for (const [token, f] of freq) {
    if (f > cutoff) above.push(token);
    else if (f === cutoff) tied.push(token);
  }
  tied.sort(compareCodePoints);
  return above.concat(tied.slice(0, k - above.length)).sort(compareCodePoints);
}
