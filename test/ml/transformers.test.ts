import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FittedColumnTransformer,
  fitOneHotEncoder,
  fitOrdinalEncoder,
  fitSimpleImputer,
  fitStandardScaler,
  fitTfidfVectorizer,
  loadStep,
  tableFromRecords,
  tokenize,
  type TrackSpec,
} from '../../src/ml/index';
import { Random } from '../../src/ml/random';
import { median } from '../../src/ml/transformers/simple-imputer';
import { fitTransformTfidfVectorizer } from '../../src/ml/transformers/tfidf-vectorizer';

const f64 = (xs: number[]): Float64Array => Float64Array.from(xs);
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= tol, `index ${i}: ${a[i]} vs ${b[i]}`);
};

void test('SimpleImputer: median, mean, most_frequent (ties → smallest), constant', () => {
  const v = f64([1, NaN, 3, 10, NaN]);
  assert.deepEqual(
    Array.from(
      fitSimpleImputer(v, { kind: 'simple_imputer', strategy: 'median' }, 'x').transform(
        v,
        'x',
      )[0] as Float64Array,
    ),
    [1, 3, 3, 10, 3],
  );
  assert.equal(fitSimpleImputer(v, { kind: 'simple_imputer', strategy: 'mean' }, 'x').fill, 14 / 3);
  assert.equal(
    fitSimpleImputer(f64([2, 1, 2, 1, 5]), { kind: 'simple_imputer', strategy: 'most_frequent' }, 'x').fill,
    1,
  );
  assert.equal(
    fitSimpleImputer(f64([1, 2, 3, 4]), { kind: 'simple_imputer', strategy: 'median' }, 'x').fill,
    2.5,
  );
  // The median by selection equals the sorted definition (odd and even counts, ties, runs).
  const rng = new Random(11);
  for (let n = 1; n <= 200; n++) {
    const xs = Float64Array.from({ length: n }, (_, i) =>
      n % 3 === 0 ? rng.nextInt(4) : n % 3 === 1 ? n - i : rng.nextFloat() * 100 - 50,
    );
    const sorted = Float64Array.from(xs).sort();
    const expected = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    assert.equal(median(xs), expected, `n = ${n}`);
  }
  const s = ['b', null, 'a', 'b', 'a'];
  const imp = fitSimpleImputer(s, { kind: 'simple_imputer', strategy: 'most_frequent' }, 's');
  assert.deepEqual(imp.transform(s, 's')[0], ['b', 'a', 'a', 'b', 'a']);
  const c = fitSimpleImputer(s, { kind: 'simple_imputer', strategy: 'constant', fill_value: '' }, 's');
  assert.deepEqual(c.transform(s, 's')[0], ['b', '', 'a', 'b', 'a']);
  assert.throws(
    () => fitSimpleImputer(s, { kind: 'simple_imputer', strategy: 'median' }, 's'),
    /column "s": strategy "median" needs a numeric column/,
  );
  assert.throws(
    () => fitSimpleImputer(f64([NaN]), { kind: 'simple_imputer', strategy: 'median' }, 'z'),
    /column "z": no values/,
  );
});

void test('StandardScaler: population std, constant column keeps scale 1', () => {
  const sc = fitStandardScaler(f64([1, 2, 3, 4]), { kind: 'standard_scaler' }, 'x');
  assert.equal(sc.mean, 2.5);
  assert.equal(sc.scale, Math.sqrt(1.25));
  close(sc.transform(f64([1, 4]), 'x')[0] as Float64Array, [-1.3416407864998738, 1.3416407864998738]);
  assert.equal(fitStandardScaler(f64([7, 7]), { kind: 'standard_scaler' }, 'x').scale, 1);
});

void test('OrdinalEncoder: sorted categories; unseen → -1, missing → NaN', () => {
  const enc = fitOrdinalEncoder(f64([4, 3, 5, 4, 1]), { kind: 'ordinal_encoder' }, 'time_signature');
  assert.deepEqual(enc.categories, [1, 3, 4, 5]);
  assert.deepEqual(Array.from(enc.transform(f64([3, 5, 2, NaN]), 't')[0] as Float64Array), [1, 3, -1, NaN]);
  const s = fitOrdinalEncoder(['b', 'B', 'a', null], { kind: 'ordinal_encoder' }, 's');
  assert.deepEqual(s.categories, ['B', 'a', 'b']); // code point order, as numpy
  assert.deepEqual(Array.from(s.transform(['a', 'zzz'], 's')[0] as Float64Array), [1, -1]);
});

void test('OneHotEncoder: one column per category; unseen and missing → all zeros', () => {
  const enc = fitOneHotEncoder(['red', 'blue', 'red'], { kind: 'one_hot_encoder' }, 'c');
  assert.deepEqual(enc.featureNames('c'), ['c_blue', 'c_red']);
  const out = enc.transform(['blue', 'green', null], 'c') as Float64Array[];
  assert.deepEqual(
    out.map((c) => Array.from(c)),
    [
      [1, 0, 0],
      [0, 0, 0],
    ],
  );
});

void test('tokenizer matches sklearn (?u)\\b\\w\\w+\\b with Unicode word characters', () => {
  assert.deepEqual(tokenize('Café au lait, CAFÉ! a I x2 café_bar Straße ß'), [
    'café',
    'au',
    'lait',
    'café',
    'x2',
    'café_bar',
    'straße',
  ]);
});

void test('tokenizer: the ASCII scan gives exactly what the Unicode expression gives', () => {
  // Every printable ASCII character and a few non-ASCII ones (which send a text down the expression's
  // path), in random texts; plus the edges: empty, one character, tokens at both ends.
  const alphabet = [
    ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
    '\t',
    '\n',
    'é',
    'ß',
    'İ',
    'K',
  ];
  const expression = (t: string) => t.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? [];
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const texts = ['', 'a', 'ab', 'ab cd', '_x', 'x_', 'A1 b2 C', '--DARK--HARD--', 'end.', 'Kelvin K sign'];
  for (let n = 0; n < 3000; n++) {
    const len = Math.floor(next() * 24);
    texts.push(Array.from({ length: len }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
  }
  for (const t of texts) assert.deepEqual(tokenize(t), expression(t), JSON.stringify(t));
  assert.deepEqual(tokenize('AbC dE', false), ['AbC', 'dE']);
});

void test('TfidfVectorizer: 3-document corpus, smooth idf, l2 norm (hand-checked values)', () => {
  const docs = ['a cat sat', 'the cat ran', 'dogs ran fast'];
  const tf = fitTfidfVectorizer(docs, { kind: 'tfidf_vectorizer' }, 'text');
  assert.deepEqual(tf.vocabulary, ['cat', 'dogs', 'fast', 'ran', 'sat', 'the']);
  // idf = ln((1 + 3) / (1 + df)) + 1
  const idf2 = Math.log(4 / 3) + 1;
  const idf1 = Math.log(2) + 1;
  close(tf.idf, [idf2, idf1, idf1, idf2, idf1, idf1]);
  const X = tf.transform(docs, 'text') as Float64Array[];
  const row = (i: number): number[] => X.map((c) => c[i]);
  const n0 = Math.hypot(idf2, idf1);
  close(row(0), [idf2 / n0, 0, 0, 0, idf1 / n0, 0]);
  // sklearn's values for the same corpus:
  close(row(1), [0.5178561161676974, 0, 0, 0.5178561161676974, 0, 0.680918560398684]);
  close(row(2), [0, 0.6227660078332259, 0.6227660078332259, 0.4736296010332684, 0, 0]);
  // Unseen tokens only → all zeros; repeated known token with binary=false → still unit norm.
  const unseen = tf.transform(['never seen words', 'CAT cat unseen', null], 'text') as Float64Array[];
  assert.deepEqual(
    unseen.map((c) => c[0]),
    [0, 0, 0, 0, 0, 0],
  );
  assert.deepEqual(
    unseen.map((c) => c[1]),
    [1, 0, 0, 0, 0, 0],
  );
  assert.deepEqual(
    unseen.map((c) => c[2]),
    [0, 0, 0, 0, 0, 0],
  );
});

void test('TfidfVectorizer: binary + max_features keeps the most frequent, ties alphabetical (sklearn values)', () => {
  const docs = ['Café au lait, CAFÉ!', 'naïve café_bar x2 2x', 'Straße straße ß', '', 'the the the cat'];
  const tf = fitTfidfVectorizer(docs, { kind: 'tfidf_vectorizer', binary: true, max_features: 4 }, 'text');
  assert.deepEqual(tf.vocabulary, ['2x', 'au', 'café', 'café_bar']);
  close(tf.idf, [2.0986122886681096, 2.0986122886681096, 2.0986122886681096, 2.0986122886681096]);
  const X = tf.transform(docs, 'text') as Float64Array[];
  close(
    X.map((c) => c[0]),
    [0, Math.SQRT1_2, Math.SQRT1_2, 0],
  );
  // Frequency beats alphabetical order: "ran" (2 documents) is kept before "dogs", "fast" (1 each).
  const tf2 = fitTfidfVectorizer(
    ['x ran', 'ran dogs', 'fast zz'],
    { kind: 'tfidf_vectorizer', binary: true, max_features: 2 },
    't',
  );
  assert.deepEqual(tf2.vocabulary, ['dogs', 'ran']);
  assert.throws(
    () => fitTfidfVectorizer(['', 'a'], { kind: 'tfidf_vectorizer' }, 'text'),
    /column "text": empty vocabulary/,
  );
});

void test('TfidfVectorizer: max_features selection equals a stable sort of the vocabulary by frequency', () => {
  // Many ties: 40 tokens over 300 short documents, counts (binary) and term frequencies (not binary).
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const words = Array.from({ length: 40 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}${i}`);
  const docs = Array.from({ length: 300 }, () =>
    Array.from({ length: 1 + next(5) }, () => words[next(words.length)]).join(' '),
  );
  for (const binary of [true, false]) {
    const full = fitTfidfVectorizer(docs, { kind: 'tfidf_vectorizer', binary }, 't').vocabulary;
    const freq = new Map<string, number>();
    for (const d of docs) {
      const toks = tokenize(d);
      for (const t of binary ? new Set(toks) : toks) freq.set(t, (freq.get(t) ?? 0) + 1);
    }
    for (const k of [1, 3, 10, 25, 39]) {
      const expected = [...full]
        .sort((a, b) => (freq.get(b) as number) - (freq.get(a) as number))
        .slice(0, k)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const got = fitTfidfVectorizer(docs, { kind: 'tfidf_vectorizer', binary, max_features: k }, 't');
      assert.deepEqual(got.vocabulary, expected, `binary ${binary}, max_features ${k}`);
    }
  }
});

void test('TfidfVectorizer: fit-and-transform in one pass equals a fit, then a transform', () => {
  // Repeated documents (they are tokenized once), missing ones, and case that lowercasing merges.
  const docs = ['Trance drum', null, 'trance', 'Drum and bass', 'trance', '', 'DRUM drum', null, 'x'];
  for (const spec of [
    { kind: 'tfidf_vectorizer', binary: true, max_features: 2 },
    { kind: 'tfidf_vectorizer' },
    { kind: 'tfidf_vectorizer', lowercase: false, norm: null },
  ] as const) {
    const { step, outs } = fitTransformTfidfVectorizer(docs, spec, 'text');
    const separate = fitTfidfVectorizer(docs, spec, 'text');
    assert.deepEqual(step.toState(), separate.toState(), JSON.stringify(spec));
    assert.deepEqual(outs, separate.transform(docs, 'text'), JSON.stringify(spec));
  }
});

void test('fitted steps are immutable data: state round trip gives identical output', () => {
  const docs = ['a cat sat', 'the cat ran', 'dogs ran fast'];
  const tf = fitTfidfVectorizer(docs, { kind: 'tfidf_vectorizer', binary: true }, 'text');
  const back = loadStep(JSON.parse(JSON.stringify(tf.toState())));
  assert.deepEqual(back.transform(docs, 'text'), tf.transform(docs, 'text'));
  assert.throws(() => loadStep({ kind: 'eval', code: 'x' } as never), /unknown transformer kind "eval"/);
});

void test('ColumnTransformer: tracks, sklearn feature names, input validation by column', () => {
  const t = tableFromRecords([
    { x: 1, k: 4, txt: 'hello world' },
    { x: null, k: 3, txt: null },
    { x: 3, k: null, txt: 'hello there' },
  ]);
  const tracks: TrackSpec[] = [
    {
      name: 'num',
      columns: ['x'],
      accepts: 'numeric',
      steps: [{ kind: 'simple_imputer', strategy: 'median' }, { kind: 'standard_scaler' }],
    },
    {
      name: 'cat',
      columns: ['k'],
      steps: [{ kind: 'simple_imputer', strategy: 'most_frequent' }, { kind: 'ordinal_encoder' }],
    },
    {
      name: 'nlp',
      columns: ['txt'],
      accepts: 'string',
      steps: [
        { kind: 'simple_imputer', strategy: 'constant', fill_value: '' },
        { kind: 'tfidf_vectorizer', binary: true },
      ],
    },
  ];
  const ct = FittedColumnTransformer.fit(t, tracks);
  assert.deepEqual(ct.featureNames, ['num__x', 'cat__k', 'nlp__hello', 'nlp__there', 'nlp__world']);
  const X = ct.transform(t);
  // The training table's features from the fit itself are what a separate transform gives.
  const both = FittedColumnTransformer.fitTransform(t, tracks);
  assert.deepEqual(both.X, X);
  assert.deepEqual(both.transformer.toState(), ct.toState());
  // x: imputed median 2 → [1,2,3] → scaled
  close(X.columns[0], [-1.224744871391589, 0, 1.224744871391589]);
  // k: most_frequent tie (3, 4) → 3; categories [3, 4]
  assert.deepEqual(Array.from(X.columns[1]), [1, 0, 0]);
  const again = FittedColumnTransformer.fromState(JSON.parse(JSON.stringify(ct.toState())));
  assert.deepEqual(again.transform(t), X);
  assert.throws(() => ct.transform(t.select(['x', 'txt'])), /missing feature column "k"/);
  const wrong = tableFromRecords([{ x: 'a', k: 1, txt: 'b' }]);
  assert.throws(
    () => ct.transform(wrong),
    /feature column "x" must be numeric \(double or long\), got string/,
  );
});
