/**
 * Answers "where did this come from and what used it?" from the store alone: an artifact version's
 * producer run, that run's inputs (recursively), the aliases and alias moves that point at it, and
 * the runs that consumed it.
 */
import type { ResolvedRef } from '../contract';
import type { AliasEvent, ArtifactStore, ArtifactVersion } from '../store/types';
import { RUN_RECORD_PREFIX, runRecordKey, type RunRecord } from './run-record';

export interface ArtifactTrace {
  ref: string;
  requested?: string;
  digest: string;
  type: string;
  createdAt: string;
  aliases: string[];
  aliasEvents: AliasEvent[];
  metadata: Record<string, unknown>;
  producer?: {
    workflowId: string;
    runId: string;
    step: string;
    attempt: number;
    trigger?: RunRecord['trigger'];
    configDigest?: string;
    code?: string;
    status?: string;
  };
  inputs: ArtifactTrace[];
  usedBy: { workflowId: string; step: string }[];
}

export async function loadRunRecords(store: ArtifactStore): Promise<RunRecord[]> {
  const keys = await store.listRecords(RUN_RECORD_PREFIX);
  const records = await Promise.all(keys.map((k) => store.getRecord<RunRecord>(k)));
  return records.filter((r): r is RunRecord => Boolean(r));
}

export async function getRunRecord(store: ArtifactStore, workflowId: string): Promise<RunRecord | undefined> {
  return store.getRecord<RunRecord>(runRecordKey(workflowId));
}

export async function traceArtifact(
  store: ArtifactStore,
  ref: string,
  opts: { depth?: number; records?: RunRecord[] } = {},
  requested?: string,
): Promise<ArtifactTrace> {
  const records = opts.records ?? (await loadRunRecords(store));
  const version: ArtifactVersion = await store.resolve(ref);
  const aliases = Object.entries(await store.getAliases(version.name))
    .filter(([, v]) => v === version.version)
    .map(([a]) => a)
    .sort();
  const aliasEvents = (await store.aliasHistory(version.name)).filter(
    (e) => e.to === version.version && e.alias !== 'latest',
  );
  const usedBy = records.flatMap((r) =>
    r.steps
      .filter((s) => s.consumed.some((c) => c.ref === version.ref))
      .map((s) => ({ workflowId: r.workflowId, step: s.step })),
  );
  const trace: ArtifactTrace = {
    ref: version.ref,
    requested: requested && requested !== version.ref ? requested : undefined,
    digest: version.digest,
    type: version.type,
    createdAt: version.createdAt,
    aliases,
    aliasEvents,
    metadata: version.metadata,
    inputs: [],
    usedBy,
  };
  const producer = version.producer;
  if (!producer) return trace;
  const run = records.find((r) => r.workflowId === producer.workflowId);
  trace.producer = {
    ...producer,
    trigger: run?.trigger,
    configDigest: run?.configDigest,
    code: run
      ? `${run.codeVersion.package}@${run.codeVersion.version}${run.codeVersion.gitCommit ? ` (${run.codeVersion.gitCommit.slice(0, 12)})` : ''}`
      : undefined,
    status: run?.status,
  };
  const depth = opts.depth ?? 8;
  const step = run?.steps.find((s) => s.step === producer.step);
  if (step && depth > 0) {
    const inputs: ResolvedRef[] = step.consumed;
    for (const input of inputs) {
      trace.inputs.push(
        await traceArtifact(store, input.ref, { depth: depth - 1, records }, input.requested),
      );
    }
  }
  return trace;
}

export function formatTrace(t: ArtifactTrace, depth = 0): string {
  const lines: string[] = [];
  const indent = depth > 0 ? `${'   '.repeat(depth - 1)}└─ ` : '';
  const alias = t.aliases.length ? `  [${t.aliases.join(', ')}]` : '';
  lines.push(
    `${indent}${t.ref}${t.requested ? ` (asked as ${t.requested})` : ''}  ${t.type}  sha256:${t.digest.slice(0, 12)}${alias}`,
  );
  const pad = '   '.repeat(depth + 1);
  if (t.producer) {
    const p = t.producer;
    lines.push(
      `${pad}produced by run ${p.workflowId}, step ${p.step} (attempt ${p.attempt})${p.trigger ? `, trigger ${p.trigger.kind}${p.trigger.id ? ` ${p.trigger.id}` : ''}` : ''}`,
    );
    if (p.configDigest || p.code)
      lines.push(`${pad}config ${p.configDigest?.slice(0, 12) ?? '?'} · code ${p.code ?? '?'}`);
  } else if (typeof t.metadata.source === 'string') {
    lines.push(`${pad}source ${t.metadata.source}`);
  }
  for (const e of t.aliasEvents) {
    lines.push(
      `${pad}${e.alias} → ${t.ref} at ${e.at}${e.actor ? ` by ${e.actor}` : ''}${e.reason ? `: ${e.reason}` : ''}`,
    );
  }
  if (t.usedBy.length)
    lines.push(`${pad}used by ${t.usedBy.map((u) => `${u.workflowId} (${u.step})`).join(', ')}`);
  for (const input of t.inputs) lines.push(formatTrace(input, depth + 1));
  return lines.join('\n');
}

export function formatRun(r: RunRecord): string {
  const lines = [
    `run ${r.workflowId} (${r.workflowType}) ${r.status}${r.error ? `: ${r.error}` : ''}`,
    `   trigger ${r.trigger.kind}${r.trigger.id ? ` ${r.trigger.id}` : ''}${r.parentWorkflowId ? ` · parent ${r.parentWorkflowId}` : ''}`,
    `   ${r.startedAt} → ${r.endedAt}`,
    `   config ${r.configDigest.slice(0, 12)} · code ${r.codeVersion.package}@${r.codeVersion.version}${r.codeVersion.gitCommit ? ` (${r.codeVersion.gitCommit.slice(0, 12)})` : ''} · node ${r.codeVersion.node}`,
  ];
  for (const s of r.steps) {
    lines.push(
      `   ${s.step}: ${s.status}, attempts ${s.attempts}${s.durationMs !== undefined ? `, ${(s.durationMs / 1000).toFixed(2)} s` : ''}`,
    );
    for (const c of s.consumed)
      lines.push(
        `      in  ${c.ref}${c.requested ? ` (asked ${c.requested})` : ''} sha256:${c.digest.slice(0, 12)}`,
      );
    for (const p of s.produced)
      lines.push(`      out ${p.ref}${p.reused ? ' (reused)' : ''} sha256:${p.digest.slice(0, 12)}`);
  }
  if (Object.keys(r.metrics).length) {
    lines.push(
      `   metrics ${Object.entries(r.metrics)
        .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
        .join(' ')}`,
    );
  }
  if (r.promotion)
    lines.push(`   promotion: ${r.promotion.promoted ? 'promoted' : 'kept prod'} (${r.promotion.reason})`);
  const approval = r.promotion?.approval;
  if (approval)
    lines.push(
      `   approval: ${approval.decision}${approval.actor ? ` by ${approval.actor}` : ''}${approval.decidedAt ? ` at ${approval.decidedAt}` : ''}${approval.reason ? `: ${approval.reason}` : ''} (requested ${approval.requestedAt} for ${approval.candidateRef})`,
    );
  if (r.report) lines.push(`   report ${r.report.ref}`);
  const mlflow = r.tracking?.mlflow;
  if (mlflow)
    lines.push(
      `   mlflow ${mlflow.runUrl ?? mlflow.uri}${mlflow.unsynced.length ? ` · not synced: ${mlflow.unsynced.join(', ')} (mlpipe sync ${r.workflowId})` : ' · synced'}`,
    );
  return lines.join('\n');
}
