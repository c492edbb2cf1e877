/** A small seeded three-class table with numeric, integer-categorical and text signal, for pipeline tests. */
import { Random } from '../../src/ml/random';
import { type Table, tableFromRecords } from '../../src/ml/index';

const WORDS: Record<string, string[]> = {
  alpha: ['sun', 'bright', 'gold', 'morning'],
  beta: ['rain', 'grey', 'cloud', 'evening'],
  gamma: ['night', 'dark', 'moon', 'shadow'],
};

export function syntheticTable(nRows: number, seed = 1): Table {
  const rng = new Random(seed);
  const classes = Object.keys(WORDS);
  const normal = (): number => {
    const u = Math.max(rng.nextFloat(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
  };
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < nRows; i++) {
    const k = i % 3;
    const words = WORDS[classes[k]];
    const other = WORDS[classes[rng.nextInt(3)]];
    rows.push({
      energy: k * 0.8 + normal(),
      loudness: rng.nextFloat() < 0.15 ? null : -10 + k * 2 + normal() * 2,
      tempo: 100 + normal() * 20, // noise
      duration_ms: 180000 + rng.nextInt(60000),
      key: (k * 3 + rng.nextInt(4)) % 12,
      mode: rng.nextInt(2),
      title: rng.nextFloat() < 0.3 ? null : `${words[rng.nextInt(4)]} ${other[rng.nextInt(4)]}`,
      genre: classes[k],
    });
  }
  return tableFromRecords(rows);
}

export const SPEC = {
  target: 'genre',
  features: {
    numerical: ['energy', 'loudness', 'tempo', 'duration_ms'],
    categorical: ['key', 'mode'],
    nlp: ['title'],
  },
  tfidf: { max_features: 6 },
};
