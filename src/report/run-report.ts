/**
 * One self-contained HTML file per run: summary, metrics, plots, steps, artifacts, promotion, resolved config
 * and code version. A pure function of its input (no clock, no randomness), so the same run renders the same
 * bytes. The input is plain data: it knows nothing of the artifact store or Temporal.
 */
import { Eta } from 'eta';
import YAML from 'yaml';
import type { Metrics, PromotionDecision, ResolvedRef, StepProgress, TriggerInfo } from '../contract';
import { elapsedMs, formatDuration, formatMetric } from './format';
import { RUN_REPORT_TEMPLATE } from './run-report-template';

/** A plot to embed: SVG text (preferred) or PNG bytes. Embedded as a data: URI image, isolated from the page. */
export interface ReportPlot {
  title: string;
  svg?: string;
  png?: Uint8Array;
}

/** What one step consumed and produced (a StepResult fits as it is). */
export interface ReportStepArtifacts {
  step: string;
  consumed: ResolvedRef[];
  produced: ResolvedRef[];
}

export interface ReportCodeVersion {
  /** Package name, e.g. `temporal-ml-pipeline`. */
  package?: string;
  version: string;
  gitCommit?: string;
  /** Node.js version that ran the pipeline. */
  node?: string;
}

export type ReportRunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface RunReportInput {
  workflowId: string;
  runId?: string;
  /** Heading; defaults to `Run <workflowId>`. */
  title?: string;
  trigger: TriggerInfo;
  status: ReportRunStatus;
  /** ISO timestamps. */
  startedAt?: string;
  endedAt?: string;
  /** Why the run failed, shown under the summary. */
  error?: string;
  modelRef?: string;
  metrics: Metrics;
  plots?: ReportPlot[];
  steps: StepProgress[];
  artifacts: ReportStepArtifacts[];
  promotion?: PromotionDecision;
  /** The resolved config (plain JSON data), shown as YAML. */
  config: unknown;
  configDigest: string;
  codeVersion: ReportCodeVersion;
}

interface Row {
  label: string;
  value: string;
  mono?: boolean;
}

const eta = new Eta({ autoEscape: true, autoTrim: [false, 'nl'] });
let template: ReturnType<Eta['compile']> | undefined;

export function renderRunReport(input: RunReportInput): string {
  template ??= eta.compile(RUN_REPORT_TEMPLATE);
  return eta.render(template, toView(input));
}

/** "2 cached (get_data, preprocess), 4 ran": the step cache at a glance, when the run used it. */
function cacheSummary(steps: StepProgress[]): Row[] {
  const looked = steps.filter((s) => s.cache);
  if (looked.length === 0) return [];
  const hits = looked.filter((s) => s.cache?.hit).map((s) => s.step);
  const misses = looked.filter((s) => !s.cache?.hit).map((s) => s.step);
  const part = (n: string[], what: string) =>
    n.length ? `${n.length} ${what} (${n.join(', ')})` : `0 ${what}`;
  return [{ label: 'Step cache', value: `${part(hits, 'hits')}, ${part(misses, 'misses')}` }];
}

/** Everything the template shows, preformatted as strings (the template does no formatting of its own). */
function toView(input: RunReportInput) {
  const title = input.title ?? `Run ${input.workflowId}`;
  const summary: Row[] = [
    { label: 'Workflow ID', value: input.workflowId, mono: true },
    { label: 'Run ID', value: input.runId ?? '—', mono: true },
    { label: 'Trigger', value: formatTrigger(input.trigger) },
    { label: 'Status', value: input.status },
    { label: 'Started', value: input.startedAt ?? '—', mono: true },
    { label: 'Ended', value: input.endedAt ?? '—', mono: true },
    { label: 'Duration', value: formatDuration(elapsedMs(input.startedAt, input.endedAt)) },
    { label: 'Model', value: input.modelRef ?? '—', mono: true },
    ...cacheSummary(input.steps),
  ];
  return {
    title,
    status: input.status,
    statusClass: cssToken(input.status),
    error: input.error,
    summary,
    metrics: Object.entries(input.metrics).map(([name, value]) => ({ name, value: formatMetric(value) })),
    plots: (input.plots ?? []).map((p) => ({ title: p.title, src: plotDataUri(p) })),
    steps: input.steps.map((s) => ({
      step: s.step,
      status: s.status,
      statusClass: cssToken(s.status),
      attempts: String(s.attempts),
      startedAt: s.startedAt ?? '—',
      duration: formatDuration(s.durationMs ?? elapsedMs(s.startedAt, s.endedAt)),
      summary: s.summary ?? '',
      error: s.error,
      // The step cache: a hit names the run that computed the outputs, a miss what changed.
      cache: s.cache ? (s.cache.hit ? `hit: ${s.cache.reason}` : `miss: ${s.cache.reason}`) : '—',
      cacheKey: s.cache?.key ? `key ${s.cache.key.slice(0, 12)}` : '',
    })),
    artifacts: input.artifacts.flatMap((a) => [
      ...a.consumed.map((r) => artifactRow(a.step, 'consumed', r)),
      ...a.produced.map((r) => artifactRow(a.step, 'produced', r)),
    ]),
    promotion: input.promotion && {
      promoted: input.promotion.promoted,
      reason: input.promotion.reason,
      metric: input.promotion.metric,
      candidate: formatMetric(input.promotion.candidate),
      prod: input.promotion.prod === undefined ? '—' : formatMetric(input.promotion.prod),
      prodRef: input.promotion.prodRef ?? '—',
    },
    config: { digest: input.configDigest, yaml: YAML.stringify(input.config ?? null, { lineWidth: 0 }) },
    code: [
      { label: 'Package', value: input.codeVersion.package ?? '—' },
      { label: 'Version', value: input.codeVersion.version },
      { label: 'Git commit', value: input.codeVersion.gitCommit ?? 'unknown (not a git checkout)' },
      { label: 'Node.js', value: input.codeVersion.node ?? '—' },
    ] satisfies Row[],
  };
}

function formatTrigger(trigger: TriggerInfo): string {
  return trigger.id ? `${trigger.kind} (${trigger.id})` : trigger.kind;
}

function artifactRow(step: string, direction: 'consumed' | 'produced', ref: ResolvedRef) {
  return {
    step,
    direction,
    requested: ref.requested ?? '—',
    ref: ref.ref,
    digest: ref.digest,
    reused: ref.reused === true,
  };
}

function plotDataUri(plot: ReportPlot): string {
  if (plot.svg !== undefined)
    return `data:image/svg+xml;base64,${Buffer.from(plot.svg, 'utf8').toString('base64')}`;
  if (plot.png !== undefined) return `data:image/png;base64,${Buffer.from(plot.png).toString('base64')}`;
  throw new Error(`renderRunReport: plot "${plot.title}" has neither svg nor png`);
}

/** Status words become CSS class suffixes; anything unexpected maps to a neutral class rather than through. */
function cssToken(status: string): string {
  return /^[a-z]+$/.test(status) ? status : 'unknown';
}
