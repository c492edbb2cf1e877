/**
 * How long the property tests run: a short, bounded form inside `npm test` (CI), and the long form of
 * `npm run test:fuzz` (MLPIPE_FUZZ_RUNS=10000). A time limit caps either on a slow or busy machine.
 */
export function fuzzBudget(ciRuns: number): {
  numRuns: number;
  interruptAfterTimeLimit: number;
  seed?: number;
} {
  const runs = Number(process.env.MLPIPE_FUZZ_RUNS ?? ciRuns);
  const seed = process.env.MLPIPE_FUZZ_SEED ? Number(process.env.MLPIPE_FUZZ_SEED) : undefined;
  return {
    numRuns: runs,
    // Long runs are given the time they need; the CI form stops after 30 s whatever the machine's load.
    interruptAfterTimeLimit: process.env.MLPIPE_FUZZ_RUNS ? 30 * 60_000 : 30_000,
    ...(seed !== undefined ? { seed } : {}),
  };
}
