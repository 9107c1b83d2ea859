/**
 * `assertRefinement`: the refinement check for a user's own test suite. It
 * runs `checkRefinement` with the command line's defaults (100 runs of up to
 * 200 steps, the kernel invariants on, the fastpath kernel alongside) and
 * throws a `RefinementError` whose message is the report `sel4-spec check`
 * prints for a counterexample: the steps told in seL4's terms and where the
 * sides part. It knows no test framework: any runner shows the message.
 */
import { wellFormed } from '../invariants/wellFormed';
import { type CheckOptions, type CheckResult, checkRefinement } from './check';
import { counterexampleHeadline, printRun } from './report/summary';

/** The command line's defaults for a check (`sel4-spec check --help`). */
export const CHECK_DEFAULTS = { runs: 100, steps: 200, fastpath: 'both', checkSpec: wellFormed } as const;

export class RefinementError extends Error {
  override readonly name = 'RefinementError';
  constructor(
    message: string,
    /** The whole result: the counterexample, its trace, the counts. */
    readonly result: CheckResult,
  ) {
    super(message);
  }
}

/** Check, and throw the rendered counterexample if there is one (or if the check did not finish). */
export const assertRefinement = async (options: Partial<CheckOptions> & Pick<CheckOptions, 'seed'>): Promise<CheckResult> => {
  const result = await checkRefinement({ ...CHECK_DEFAULTS, ...options });
  const c = result.counterexample;
  if (c !== undefined) {
    const lines = [counterexampleHeadline(c, result, false)];
    printRun({ line: (l) => lines.push(l), json: () => undefined }, c.events, c.outcomes, c.failure, c.options);
    throw new RefinementError(lines.join('\n'), result);
  }
  if (!result.ok) throw new RefinementError(`the check stopped after ${result.runs} of ${options.runs ?? CHECK_DEFAULTS.runs} runs without a verdict`, result);
  return result;
};
