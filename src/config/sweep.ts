/**
 * Hydra multirun expansion: `k=1,2,3`, `k=range(1,5)` (stop excluded), `k=choice(a,b)`; overrides
 * without several values ride along unchanged. The result is the cartesian product, each trial a list
 * of plain overrides in the order given, the first swept key varying slowest (as Hydra's
 * BasicSweeper orders its jobs).
 */
import { parseOverride } from './overrides';

export function parseSweep(overrides: readonly string[]): string[][] {
  const axes = overrides.map((text) => {
    const o = parseOverride(text);
    if (o.value?.kind !== 'sweep') return [text.trim()];
    return o.value.texts.map((v) => `${o.prefix}${o.key}=${v}`);
  });
  let trials: string[][] = [[]];
  for (const choices of axes) trials = trials.flatMap((trial) => choices.map((c) => [...trial, c]));
  return trials;
}

/** True when the overrides describe more than one trial. */
export function isSweep(overrides: readonly string[]): boolean {
  return overrides.some((text) => parseOverride(text).value?.kind === 'sweep');
}
