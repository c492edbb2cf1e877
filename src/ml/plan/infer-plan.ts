/**
 * The feature plan: which columns feed which track of the inference pipeline, each decision with its
 * reason. Inferred from the training table where the config does not give a track, deterministically:
 * every rule reads counts (distinct values, missing values, words per value), never row order.
 */
import { type Table } from '../table/table';

export type Track = 'numerical' | 'categorical' | 'nlp';
export type Use = Track | 'left_out';

export interface PlanDecision {
  column: string;
  use: Use;
  reason: string;
}

export interface FeaturePlan {
  target: string;
  features: Record<Track, string[]>;
  /** Per track: inferred from the data, or given in the config. */
  sources: Record<Track, 'inferred' | 'given'>;
  /** One per column of the table, in table order. */
  decisions: PlanDecision[];
}

export type GivenFeatures = Partial<Record<Track, readonly string[] | null>> | null | undefined;

export interface PlanThresholds {
  /** At most this many distinct values make an integer column categorical (default 20). */
  maxIntegerCategories: number;
  /** At most this many distinct values make a string column categorical (default 50). */
  maxStringCategories: number;
  /** Distinct values per present value from which a column is identifier-like (default 0.95). */
  identifierShare: number;
  /** Mean words per value from which a many-valued string column is free text (default 2). */
  textWords: number;
}

export const DEFAULT_PLAN_THRESHOLDS: PlanThresholds = {
  maxIntegerCategories: 20,
  maxStringCategories: 50,
  identifierShare: 0.95,
  textWords: 2,
};

export const TRACKS: readonly Track[] = ['numerical', 'categorical', 'nlp'];

interface ColumnProfile {
  present: number;
  distinct: number;
  integral: boolean;
  meanWords: number;
  /** String columns: the share of present values that read as numbers, and the first that does not. */
  numericShare: number;
  firstText?: { row: number; value: string };
}

const WORD = /[\p{L}\p{N}_]{2,}/gu;
const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

function profile(table: Table, name: string): ColumnProfile {
  const col = table.column(name);
  const seen = new Set<string | number>();
  let present = 0;
  if (col.type !== 'string') {
    let integral = true;
    for (const v of col.values) {
      if (v !== v) continue;
      present++;
      seen.add(v);
      if (integral && !Number.isInteger(v)) integral = false;
    }
    return { present, distinct: seen.size, integral, meanWords: 0, numericShare: 1 };
  }
  let words = 0;
  let numeric = 0;
  let firstText: ColumnProfile['firstText'];
  col.values.forEach((v, i) => {
    if (v === null) return;
    present++;
    seen.add(v);
    words += v.match(WORD)?.length ?? 0;
    if (v.trim() !== '' && Number.isFinite(Number(v))) numeric++;
    else firstText ??= { row: i + 1, value: v };
  });
  return {
    present,
    distinct: seen.size,
    integral: false,
    meanWords: present ? words / present : 0,
    numericShare: present ? numeric / present : 0,
    firstText,
  };
}

/**
 * What a column is, by the plan's rules: a track's kind, or why it is left out. Other consumers of
 * the rules (the data contract) read this, so they agree with the plan without parsing its reasons.
 */
export type ColumnKind = Track | 'empty' | 'constant' | 'identifier';

/** The rule for one column, as a kind and the reason the plan prints. */
export function classifyColumn(
  table: Table,
  name: string,
  t: PlanThresholds = DEFAULT_PLAN_THRESHOLDS,
): { kind: ColumnKind; reason: string } {
  const col = table.column(name);
  const p = profile(table, name);
  if (p.present === 0) return { kind: 'empty', reason: 'no values (all missing)' };
  if (p.distinct === 1) return { kind: 'constant', reason: 'constant (one distinct value)' };
  const share = p.distinct / p.present;
  if (col.type !== 'string') {
    if (!p.integral) return { kind: 'numerical', reason: 'numeric' };
    if (p.distinct <= t.maxIntegerCategories)
      return { kind: 'categorical', reason: `integer with ${p.distinct} distinct values` };
    if (share >= t.identifierShare)
      return { kind: 'identifier', reason: `${pct(share)} distinct integers (identifier-like)` };
    return { kind: 'numerical', reason: `integer with ${p.distinct} distinct values` };
  }
  // A text column where most values are numbers is a numeric column with a few bad cells: say so,
  // so that the user fixes the data or names the cells as na_values, rather than guess a meaning.
  const mixed =
    p.numericShare >= 0.5 && p.firstText
      ? `; mixed: ${pct(p.numericShare)} numbers, first other value ${JSON.stringify(p.firstText.value)} at row ${p.firstText.row} (add it to data.na_values to read the column as numbers)`
      : '';
  if (p.distinct <= t.maxStringCategories)
    return { kind: 'categorical', reason: `string with ${p.distinct} distinct values${mixed}` };
  if (p.meanWords >= t.textWords)
    return { kind: 'nlp', reason: `free text (${p.meanWords.toFixed(1)} words per value)${mixed}` };
  if (share >= t.identifierShare)
    return { kind: 'identifier', reason: `${pct(share)} distinct (identifier-like)${mixed}` };
  return { kind: 'categorical', reason: `string with ${p.distinct} distinct values${mixed}` };
}

/** The rule for one column that no given track names. */
export function decideColumn(
  table: Table,
  name: string,
  t: PlanThresholds = DEFAULT_PLAN_THRESHOLDS,
): { use: Use; reason: string } {
  const { kind, reason } = classifyColumn(table, name, t);
  return { use: (TRACKS as readonly string[]).includes(kind) ? (kind as Track) : 'left_out', reason };
}

/**
 * The plan for `table`: given tracks as given (their columns are not inferred into another track),
 * the other tracks from the rules. A derived column (a joined text feature) is planned by adding
 * it to the table first.
 */
export function inferFeaturePlan(
  table: Table,
  target: string,
  given: GivenFeatures = null,
  thresholds: PlanThresholds = DEFAULT_PLAN_THRESHOLDS,
): FeaturePlan {
  if (!table.has(target))
    throw new Error(`target column "${target}" is not in the table (columns: ${table.names.join(', ')})`);
  const features: Record<Track, string[]> = { numerical: [], categorical: [], nlp: [] };
  const sources = {} as Record<Track, 'inferred' | 'given'>;
  const givenUse = new Map<string, Track>();
  for (const track of TRACKS) {
    const cols = given?.[track];
    sources[track] = cols == null ? 'inferred' : 'given';
    for (const c of cols ?? []) {
      if (!table.has(c))
        throw new Error(
          `random_forest_pipeline.features.${track}: column "${c}" is not in the table (columns: ${table.names.join(', ')})`,
        );
      if (givenUse.has(c))
        throw new Error(`random_forest_pipeline.features: column "${c}" is given in two tracks`);
      givenUse.set(c, track);
    }
  }
  const decisions = table.names.map((column): PlanDecision => {
    const g = givenUse.get(column);
    if (g) return { column, use: g, reason: 'given in the config' };
    if (column === target) return { column, use: 'left_out', reason: 'the target' };
    const d = decideColumn(table, column, thresholds);
    if (d.use !== 'left_out' && sources[d.use] === 'given')
      return { column, use: 'left_out', reason: `${d.reason}; the ${d.use} track is given in the config` };
    return { column, ...d };
  });
  for (const d of decisions) if (d.use !== 'left_out') features[d.use].push(d.column);
  return { target, features, sources, decisions };
}

/** One line per decision, e.g. `order_id: left out, 100% distinct (identifier-like)`. */
export function formatPlan(plan: FeaturePlan): string {
  const head = TRACKS.map(
    (t) => `${t} (${plan.sources[t]}): ${plan.features[t].length ? plan.features[t].join(', ') : '—'}`,
  );
  const lines = plan.decisions.map(
    (d) => `  ${d.column}: ${d.use === 'left_out' ? 'left out' : d.use}, ${d.reason}`,
  );
  return [`target: ${plan.target}`, ...head, 'columns:', ...lines].join('\n');
}

/** A short summary such as `10 numerical, 2 categorical (given), 1 nlp; left out: id, uri`. */
export function summarizePlan(plan: FeaturePlan): string {
  const tracks = TRACKS.map(
    (t) => `${plan.features[t].length} ${t}${plan.sources[t] === 'given' ? ' (given)' : ''}`,
  );
  const out = plan.decisions.filter((d) => d.use === 'left_out' && d.column !== plan.target);
  return `${tracks.join(', ')}${out.length ? `; left out: ${out.map((d) => d.column).join(', ')}` : ''}`;
}
