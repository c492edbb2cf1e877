/** `30s`, `12h`, `7d`, `500ms` → milliseconds (the grammar of the config's durations). */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d)$/;

export function parseDuration(text: string, what: string): number {
  const m = DURATION_RE.exec(text.trim());
  if (!m) throw new Error(`${what}: ${JSON.stringify(text)} is not a duration; write it like 30m, 12h or 7d`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

/** 93784000 → `1d 2h`: the largest two units, for reports. */
export function formatAge(ms: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms / 1000));
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size || (unit === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
