import { describe, expect, it } from 'vitest';
import { type CheckOptions, type CheckResult, checkRefinement } from '../../refinement/check';
import { wellFormed } from '../../invariants/wellFormed';

/** Everything a check reports but its wall-clock times (and the run options of its counterexample, which name the mode). */
const verdict = (r: CheckResult) => {
  const { timing: _, coverage, arguments: args, counterexample, ...rest } = r;
  const { options: _o, ...found } = counterexample ?? { options: undefined };
  return { ...rest, counterexample: counterexample === undefined ? undefined : found, coverage: coverage.summary(), arguments: args.rows() };
};

const bothModes = async (opts: CheckOptions) => {
  const incremental = await checkRefinement(opts);
  const full = await checkRefinement({ ...opts, fullCompare: true });
  return { incremental, full };
};

/**
 * The incremental comparison (the default) against the oracle it replaces,
 * `--full-compare`: the same verdict, counterexample and counts. (The image
 * itself is held equal to the whole abstraction after every event, on every
 * mutant, in image.test.ts.)
 */
describe('--full-compare: the oracle of the incremental check', () => {
  it('passes the same clean traces with the same counts', async () => {
    const { incremental, full } = await bothModes({ seed: 77, runs: 8, steps: 120, checkSpec: wellFormed });
    expect(incremental.ok).toBe(true);
    expect(verdict(full)).toEqual(verdict(incremental));
  }, 120_000);

  // A fastpath mutant (both comparisons at work), caught early enough to shrink in the slow mode too; the image test covers every mutant.
  it.each(['fastpath-badge-dropped'])(
    'finds the same counterexample for mutant %s',
    async (m) => {
      const { incremental, full } = await bothModes({ seed: 1, runs: 60, steps: 120, mutants: [m], shrinkRuns: 40 });
      expect(incremental.counterexample).toBeDefined();
      expect(verdict(full)).toEqual(verdict(incremental));
    },
    180_000,
  );
});
