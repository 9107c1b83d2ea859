import { describe, expect, it } from 'vitest';
import { type CheckOptions, type CheckResult, checkRefinement } from '../../refinement/check';
import { blocksOf } from '../../refinement/workers/pool';
import { wellFormed } from '../../invariants/wellFormed';

/** Everything a check reports but its wall-clock times. */
const verdict = (r: CheckResult) => {
  const { timing: _, coverage, arguments: args, ...rest } = r;
  return { ...rest, coverage: coverage.table(), arguments: args.rows() };
};

const withWorkers = (opts: CheckOptions, ns: readonly number[]) => Promise.all(ns.map((workers) => checkRefinement({ ...opts, workers }).then(verdict)));

describe('check --workers N: the same result for any N', () => {
  it('cuts a slice into blocks that cover it once, in order', () => {
    for (const [start, count, workers] of [
      [0, 100, 2],
      [7, 13, 3],
      [0, 1, 4],
      [5, 0, 2],
    ] as const) {
      const blocks = blocksOf({ start, count }, workers);
      const runs = blocks.flatMap((b) => Array.from({ length: b.count }, (_, i) => b.start + i));
      expect(runs).toEqual(Array.from({ length: count }, (_, i) => start + i));
    }
  });

  it('passes the same runs with the same counts in 1 and 3 worker threads', async () => {
    const [one, three] = await withWorkers({ seed: 9, runs: 9, steps: 80, checkSpec: wellFormed }, [1, 3]);
    expect(one?.ok).toBe(true);
    expect(three).toEqual(one);
  }, 120_000);

  it('finds the same first counterexample when it lies in a later block', async () => {
    // rotate-swaps-badges is first caught in run 14 of seed 2: the 7th block of 2 runs with 2 workers.
    const [one, two] = await withWorkers({ seed: 2, runs: 16, steps: 200, mutants: ['rotate-swaps-badges'], shrinkRuns: 10 }, [1, 2]);
    expect(one?.counterexample?.foundAtRun).toBe(14);
    expect(two).toEqual(one);
  }, 180_000);
});
