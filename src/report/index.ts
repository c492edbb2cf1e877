/** The report module's public surface: plots (SVG + PNG) and the self-contained HTML run report. */
export { plotFeatureImportance, featureImportanceSpec, DEFAULT_TOP_FEATURES } from './feature-importance';
export type { FeatureImportanceOptions } from './feature-importance';
export { plotConfusionMatrix, confusionMatrixSpec } from './confusion-matrix';
export type { ConfusionMatrixOptions } from './confusion-matrix';
export type { RenderedPlot } from './render-plot';
export { renderRunReport } from './run-report';
export type {
  RunReportInput,
  ReportPlot,
  ReportStepArtifacts,
  ReportCodeVersion,
  ReportRunStatus,
} from './run-report';
export { FONT_DIR_ENV } from './fonts';
