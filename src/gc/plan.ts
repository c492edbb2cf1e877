/**
 * Which versions garbage collection keeps, and why: a pure decision over a store snapshot.
 *
 * A version is kept when any of these holds (each kept version records every reason that holds):
 * - `alias`: a current alias points to it;
 * - `history`: an alias pointed to it within that alias's last `keepLast` moves (for `latest`,
 *   that is the last `keepLast` versions published);
 * - `recent`: it is younger than `olderThanMs`;
 * - `in-flight`: its producing run has no finished record yet (still running) and it is younger
 *   than `graceMs`, or a record without an end names it;
 * - `lineage`: a kept version was made from it, directly or not (the producing run's step
 *   consumed it), so `mlpipe lineage` of every kept version stays complete.
 * Everything else in the selected projects goes.
 */
import { LEGACY_PROJECT } from '../store/keys';
import { parseRef } from '../store/refs';
import type { ArtifactVersion } from '../store/types';
import type { RunRecord } from '../lineage/run-record';
import type { StoreSnapshot } from './snapshot';

export interface GcRules {
  /** Versions an alias pointed to in its last N moves stay. */
  keepLast: number;
  /** Only versions older than this may go (ms). */
  olderThanMs: number;
  /** Runs without a record, and blobs, younger than this are in flight (ms). */
  graceMs: number;
  /** Only this project's versions may go (blobs are shared and always considered). Absent: all. */
  project?: string;
}

export type KeepReason =
  | { kind: 'alias'; alias: string }
  | { kind: 'history'; alias: string }
  | { kind: 'recent' }
  | { kind: 'in-flight'; workflowId: string }
  | { kind: 'lineage'; of: string }
  | { kind: 'other-project' };

export interface PlannedVersion {
  project: string;
  version: ArtifactVersion;
}

export interface KeptVersion extends PlannedVersion {
  reasons: KeepReason[];
}

export interface DoomedVersion extends PlannedVersion {
  ageMs: number;
}

export interface VersionPlan {
  kept: KeptVersion[];
  doomed: DoomedVersion[];
}

/** `project/name:vN`: a version's identity across projects. */
export function versionId(project: string, name: string, version: number): string {
  return `${project}/${name}:v${version}`;
}

export function planVersions(snapshot: StoreSnapshot, rules: GcRules, now: number): VersionPlan {
  const all = new Map<string, PlannedVersion>();
  const reasons = new Map<string, KeepReason[]>();
  const keep = (id: string, reason: KeepReason): boolean => {
    if (!all.has(id)) return false; // already gone (a run record naming a deleted version)
    const list = reasons.get(id);
    if (list) {
      list.push(reason);
      return false;
    }
    reasons.set(id, [reason]);
    return true;
  };
  const records = new Map(snapshot.runs.map((r) => [r.workflowId, r]));

  for (const p of snapshot.projects)
    for (const a of p.artifacts)
      for (const v of a.versions)
        all.set(versionId(p.project, a.name, v.version), { project: p.project, version: v });

  for (const p of snapshot.projects) {
    const selected = rules.project === undefined || rules.project === p.project;
    for (const a of p.artifacts) {
      const id = (n: number) => versionId(p.project, a.name, n);
      for (const [alias, n] of Object.entries(a.aliases)) keep(id(n), { kind: 'alias', alias });
      const byAlias = new Map<string, number[]>();
      for (const e of a.history) byAlias.set(e.alias, [...(byAlias.get(e.alias) ?? []), e.to]);
      if (rules.keepLast > 0)
        for (const [alias, targets] of byAlias)
          for (const n of targets.slice(-rules.keepLast)) keep(id(n), { kind: 'history', alias });
      for (const v of a.versions) {
        if (!selected) keep(id(v.version), { kind: 'other-project' });
        const age = now - Date.parse(v.createdAt);
        if (age < rules.olderThanMs) keep(id(v.version), { kind: 'recent' });
        const producer = v.producer?.workflowId;
        if (producer !== undefined && age < rules.graceMs && !finished(records.get(producer)))
          keep(id(v.version), { kind: 'in-flight', workflowId: producer });
      }
    }
  }
  // A record without an end is a run in flight: what it read and wrote stays.
  for (const r of snapshot.runs) {
    if (finished(r)) continue;
    for (const s of r.steps)
      for (const ref of [...s.consumed, ...s.produced])
        keep(consumedId(r, ref.ref, ref.requested), { kind: 'in-flight', workflowId: r.workflowId });
  }

  // Lineage: everything upstream of a kept version stays, whatever kept it.
  const queue = [...reasons.keys()];
  while (queue.length > 0) {
    const id = queue.pop()!;
    const { version } = all.get(id)!;
    const producer = version.producer;
    if (!producer) continue;
    const step = records.get(producer.workflowId)?.steps.find((s) => s.step === producer.step);
    for (const input of step?.consumed ?? []) {
      const inputId = consumedId(records.get(producer.workflowId)!, input.ref, input.requested);
      if (keep(inputId, { kind: 'lineage', of: `${version.ref}` })) queue.push(inputId);
    }
  }

  const kept: KeptVersion[] = [];
  const doomed: DoomedVersion[] = [];
  for (const [id, planned] of all) {
    const why = reasons.get(id);
    if (why) kept.push({ ...planned, reasons: why });
    else doomed.push({ ...planned, ageMs: now - Date.parse(planned.version.createdAt) });
  }
  const order = (x: PlannedVersion, y: PlannedVersion) =>
    x.project.localeCompare(y.project) ||
    x.version.name.localeCompare(y.version.name) ||
    x.version.version - y.version.version;
  return { kept: kept.sort(order), doomed: doomed.sort(order) };
}

/** A run record is finished when it has an end; records are written at a run's end, so absent = running. */
function finished(record: RunRecord | undefined): boolean {
  return record !== undefined && typeof record.endedAt === 'string' && record.endedAt !== '';
}

/**
 * The version a run's step consumed: `name:vN` in the project the ref asked for (a `project/`
 * prefix), else the run's own project (main.project_name; the root layout is LEGACY_PROJECT's).
 */
function consumedId(run: RunRecord, ref: string, requested: string | undefined): string {
  const parsed = parseRef(ref);
  const asked = requested ? parseRef(requested).project : undefined;
  const runProject = (run.config as { main?: { project_name?: string } } | undefined)?.main?.project_name;
  const project = asked ?? parsed.project ?? runProject ?? LEGACY_PROJECT;
  return versionId(project, parsed.name, parsed.version ?? -1);
}

export function describeReason(r: KeepReason): string {
  switch (r.kind) {
    case 'alias':
      return `alias ${r.alias}`;
    case 'history':
      return `in ${r.alias}'s last moves`;
    case 'recent':
      return 'younger than --older-than';
    case 'in-flight':
      return `run ${r.workflowId} in flight`;
    case 'lineage':
      return `lineage of ${r.of}`;
    case 'other-project':
      return 'other project';
  }
}
