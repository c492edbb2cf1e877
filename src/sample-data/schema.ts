/**
 * The reference dataset's table shape (genres_mod.csv): its columns in their order and its classes.
 * The synthetic sample reproduces exactly this shape, so that every step runs unchanged on either.
 */

/** Column order of the reference CSV header. */
export const SAMPLE_COLUMNS = [
  'danceability',
  'energy',
  'key',
  'loudness',
  'mode',
  'speechiness',
  'acousticness',
  'instrumentalness',
  'liveness',
  'valence',
  'tempo',
  'type',
  'duration_ms',
  'time_signature',
  'genre',
  'song_name',
  'title',
] as const;
export type SampleColumn = (typeof SAMPLE_COLUMNS)[number];

export type SampleValue = string | number | null;
export type SampleRow = Record<SampleColumn, SampleValue>;

/** The 15 classes, in the order the reference's check_data test lists them. */
export const GENRES = [
  'Dark Trap',
  'Underground Rap',
  'Trap Metal',
  'Emo',
  'Rap',
  'RnB',
  'Pop',
  'Hiphop',
  'techhouse',
  'techno',
  'trance',
  'psytrance',
  'trap',
  'dnb',
  'hardstyle',
] as const;
export type Genre = (typeof GENRES)[number];

/** The `type` column is constant in the reference data. */
export const TRACK_TYPE = 'audio_features';

/** The sample's label column: `data.target` when the source is `sample:genres` and no target is set. */
export const SAMPLE_TARGET = 'genre';
