/** Public surface of the bundled synthetic sample (data.source `sample:genres`). */
export { generateSampleGenres, type SampleOptions } from './generate';
export { sampleGenresCsv, sampleRowsToCsv, writeSampleCsv } from './csv';
export {
  GENRES,
  SAMPLE_COLUMNS,
  TRACK_TYPE,
  type Genre,
  type SampleColumn,
  type SampleRow,
  type SampleValue,
} from './schema';
