/**
 * The scikit-learn side of the benches: Debian's /usr/bin/python3 (so the scikit-learn version is the
 * same on every machine; `npm run bench:setup` installs it), run on a script that prints one JSON
 * object as its last stdout line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';

export interface PythonRun<T> {
  /** The script's last stdout line, parsed. */
  out: T;
  /** The child's peak RSS in MB, when GNU time is installed (`peakRss: true`). */
  peakRssMb: number;
}

export function runPythonJson<T>(
  script: string,
  args: readonly string[],
  opts: { peakRss?: boolean } = {},
): PythonRun<T> {
  // GNU time reports the child's peak RSS ("Maximum resident set size (kbytes)").
  const useTime = opts.peakRss === true && existsSync(GNU_TIME);
  const r = useTime
    ? spawnSync(GNU_TIME, ['-v', PYTHON, script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(PYTHON, [script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`cannot run ${PYTHON} ${script}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(
      `${script} exited with ${r.status}; it needs Debian's python3-sklearn and python3-pandas (npm run bench:setup).\n${r.stderr}`,
    );
  }
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return { out: JSON.parse(line) as T, peakRssMb: rss ? round(Number(rss[1]) / 1024, 1) : NaN };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
