/**
 * Per-genre audio profiles for the synthetic sample. The centres and spreads are rounded from the
 * reference dataset's per-genre means and standard deviations; the generator then pulls the centres
 * towards the overall mean and widens the spreads (see generate.ts), so that the classes overlap
 * enough for a forest to land well below a perfect score.
 */
import { type Genre } from './schema';

export const AUDIO_COLUMNS = [
  'danceability',
  'energy',
  'loudness',
  'speechiness',
  'acousticness',
  'instrumentalness',
  'liveness',
  'valence',
  'tempo',
  'duration_ms',
] as const;
export type AudioColumn = (typeof AUDIO_COLUMNS)[number];

/** [mean, standard deviation] per audio column, in AUDIO_COLUMNS order. */
type AudioStats = readonly (readonly [number, number])[];

export interface GenreProfile {
  genre: Genre;
  /** Relative class frequency (the reference's row counts). */
  weight: number;
  /** Urban genres carry a song_name, electronic ones a title, as in the reference. */
  family: 'urban' | 'electronic';
  audio: AudioStats;
  /** P(mode = 1). */
  major: number;
  /** The genre's most common key after C# (key 1), which is the most common everywhere. */
  favouriteKey: number;
}

// prettier-ignore
export const GENRE_PROFILES: readonly GenreProfile[] = [
  //                                                          danceability   energy         loudness       speechiness    acousticness   instrumental.  liveness       valence        tempo          duration_ms
  { genre: 'Dark Trap', weight: 4634, family: 'urban', audio: [[0.619, 0.161], [0.647, 0.18], [-8.0, 3.1], [0.123, 0.123], [0.159, 0.215], [0.277, 0.366], [0.185, 0.145], [0.274, 0.206], [149.8, 27.2], [187859, 60422]], major: 0.54, favouriteKey: 8 },
  { genre: 'Underground Rap', weight: 5948, family: 'urban', audio: [[0.745, 0.128], [0.636, 0.156], [-7.35, 2.78], [0.225, 0.145], [0.163, 0.186], [0.025, 0.116], [0.191, 0.148], [0.445, 0.224], [153.0, 26.7], [176064, 54702]], major: 0.61, favouriteKey: 10 },
  { genre: 'Trap Metal', weight: 1984, family: 'urban', audio: [[0.648, 0.169], [0.748, 0.174], [-5.88, 3.01], [0.209, 0.159], [0.115, 0.167], [0.057, 0.177], [0.243, 0.186], [0.349, 0.216], [148.6, 26.7], [147225, 44985]], major: 0.72, favouriteKey: 0 },
  { genre: 'Emo', weight: 1705, family: 'urban', audio: [[0.493, 0.126], [0.762, 0.22], [-5.44, 2.66], [0.08, 0.075], [0.142, 0.259], [0.012, 0.078], [0.195, 0.146], [0.444, 0.202], [154.0, 27.6], [218211, 43285]], major: 0.69, favouriteKey: 2 },
  { genre: 'Rap', weight: 1870, family: 'urban', audio: [[0.742, 0.128], [0.62, 0.138], [-6.87, 2.39], [0.218, 0.135], [0.171, 0.179], [0.007, 0.058], [0.181, 0.132], [0.44, 0.215], [126.0, 29.1], [203109, 59544]], major: 0.52, favouriteKey: 10 },
  { genre: 'RnB', weight: 2128, family: 'urban', audio: [[0.674, 0.14], [0.599, 0.164], [-6.87, 2.44], [0.143, 0.113], [0.225, 0.231], [0.007, 0.06], [0.179, 0.133], [0.494, 0.221], [157.7, 29.9], [226607, 51570]], major: 0.53, favouriteKey: 0 },
  { genre: 'Pop', weight: 468, family: 'urban', audio: [[0.677, 0.119], [0.697, 0.156], [-5.59, 1.98], [0.088, 0.081], [0.15, 0.199], [0.014, 0.085], [0.179, 0.142], [0.55, 0.215], [152.0, 32.3], [211297, 35210]], major: 0.55, favouriteKey: 11 },
  { genre: 'Hiphop', weight: 3080, family: 'urban', audio: [[0.699, 0.142], [0.655, 0.162], [-6.98, 2.78], [0.217, 0.131], [0.197, 0.221], [0.018, 0.095], [0.211, 0.162], [0.524, 0.224], [163.0, 28.2], [227809, 60767]], major: 0.53, favouriteKey: 11 },
  { genre: 'techhouse', weight: 3019, family: 'electronic', audio: [[0.787, 0.073], [0.834, 0.132], [-7.06, 1.89], [0.072, 0.042], [0.014, 0.041], [0.58, 0.327], [0.141, 0.142], [0.569, 0.234], [124.9, 1.65], [291437, 91082]], major: 0.57, favouriteKey: 11 },
  { genre: 'techno', weight: 3007, family: 'electronic', audio: [[0.716, 0.088], [0.795, 0.142], [-9.32, 2.41], [0.066, 0.037], [0.04, 0.097], [0.847, 0.132], [0.149, 0.129], [0.193, 0.17], [129.0, 3.85], [399369, 69644]], major: 0.58, favouriteKey: 7 },
  { genre: 'trance', weight: 3038, family: 'electronic', audio: [[0.508, 0.102], [0.893, 0.107], [-6.9, 2.22], [0.071, 0.053], [0.013, 0.047], [0.495, 0.371], [0.297, 0.209], [0.22, 0.154], [134.6, 4.43], [287927, 103706]], major: 0.44, favouriteKey: 6 },
  { genre: 'psytrance', weight: 3003, family: 'electronic', audio: [[0.617, 0.086], [0.902, 0.094], [-6.67, 1.56], [0.061, 0.029], [0.006, 0.024], [0.766, 0.142], [0.294, 0.234], [0.259, 0.181], [142.7, 4.44], [445268, 68872]], major: 0.6, favouriteKey: 7 },
  { genre: 'trap', weight: 3014, family: 'electronic', audio: [[0.594, 0.129], [0.906, 0.098], [-2.73, 1.95], [0.206, 0.147], [0.024, 0.06], [0.197, 0.273], [0.276, 0.201], [0.301, 0.177], [147.7, 4.76], [225192, 41344]], major: 0.6, favouriteKey: 11 },
  { genre: 'dnb', weight: 3017, family: 'electronic', audio: [[0.521, 0.106], [0.874, 0.098], [-4.1, 1.97], [0.084, 0.077], [0.02, 0.052], [0.46, 0.359], [0.204, 0.168], [0.254, 0.186], [173.9, 1.14], [286345, 51807]], major: 0.45, favouriteKey: 5 },
  { genre: 'hardstyle', weight: 2981, family: 'electronic', audio: [[0.478, 0.099], [0.896, 0.083], [-4.32, 1.59], [0.094, 0.09], [0.041, 0.07], [0.138, 0.253], [0.274, 0.189], [0.267, 0.157], [150.7, 1.91], [229273, 58413]], major: 0.36, favouriteKey: 9 },
];

/**
 * Per column: the valid range (values are clipped into it), the overall spread used to widen each
 * genre's spread, and how many decimals to keep. Ranges sit inside the reference's check_data ranges.
 */
export const AUDIO_LIMITS: Readonly<
  Record<AudioColumn, { min: number; max: number; spread: number; decimals: number }>
> = {
  danceability: { min: 0.05, max: 0.99, spread: 0.157, decimals: 3 },
  energy: { min: 0.01, max: 1, spread: 0.184, decimals: 3 },
  loudness: { min: -33, max: 3, spread: 2.94, decimals: 3 },
  speechiness: { min: 0.022, max: 0.95, spread: 0.126, decimals: 4 },
  acousticness: { min: 0, max: 0.99, spread: 0.171, decimals: 4 },
  instrumentalness: { min: 0, max: 0.99, spread: 0.371, decimals: 4 },
  liveness: { min: 0.011, max: 0.99, spread: 0.175, decimals: 3 },
  valence: { min: 0.019, max: 0.99, spread: 0.233, decimals: 3 },
  tempo: { min: 58, max: 220, spread: 23.9, decimals: 3 },
  duration_ms: { min: 25600, max: 913000, spread: 103000, decimals: 0 },
};

/** Shares of the reference's time signatures (4/4 dominates; there is no 2). */
export const TIME_SIGNATURES = { values: [4, 3, 5, 1], weights: [0.956, 0.029, 0.012, 0.004] } as const;

/** P(loudness is missing): 9,170 of 42,896 in the reference. */
export const LOUDNESS_MISSING = 0.214;

/** Share of rows that are exact copies of another row (the reference has about 2%). */
export const DUPLICATE_SHARE = 0.012;
