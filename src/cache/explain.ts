/**
 * Why a step missed the cache, in one line, against the nearest earlier key: the config leaves
 * that changed with both values, the inputs that changed, the code, the source.
 */
import { canonicalJson } from '../config/digest';
import type { StepKeyComponents } from './step-key';
import { describeSourceChange } from './source-fingerprint';

function show(v: unknown): string {
  if (v === undefined) return '(unset)';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** Each difference between an earlier key's components and this one's; empty when none is found. */
export function keyChanges(before: StepKeyComponents, now: StepKeyComponents): string[] {
  const changes: string[] = [];
  if (before.format !== now.format) changes.push(`cache key format ${before.format} → ${now.format}`);
  if (before.code !== now.code) changes.push('code changed');
  const keys = [...new Set([...Object.keys(before.config), ...Object.keys(now.config)])].sort();
  for (const k of keys) {
    if (!same(before.config[k], now.config[k]))
      changes.push(`${k} ${show(before.config[k])} → ${show(now.config[k])}`);
  }
  for (const slot of [...new Set([...Object.keys(before.inputs), ...Object.keys(now.inputs)])].sort()) {
    const a = before.inputs[slot];
    const b = now.inputs[slot];
    if (a?.digest !== b?.digest) {
      const name = (b ?? a)?.ref.split(':')[0] ?? slot;
      changes.push(`input ${name} changed (${a?.ref ?? 'none'} → ${b?.ref ?? 'none'})`);
    }
  }
  if (now.source && !same(before.source, now.source))
    changes.push(describeSourceChange(before.source, now.source));
  for (const k of [
    ...new Set([...Object.keys(before.store ?? {}), ...Object.keys(now.store ?? {})]),
  ].sort()) {
    const a = before.store?.[k] ?? null;
    const b = now.store?.[k] ?? null;
    if (a?.digest !== b?.digest) changes.push(`${k} ${a?.ref ?? 'none'} → ${b?.ref ?? 'none'}`);
  }
  return changes;
}
