/**
 * `assertRefinement`: the refinement check for a user's own test suite. It
 * runs `checkRefinement` with the command line's defaults (100 runs of up to
 * 200 steps, the kernel invariants on, the fastpath kernel alongside) and
 * throws a `RefinementError` whose message is the report `sel4-spec check`
 * prints for a counterexample: the steps told in seL4's terms and where the
 * sides part. It knows no test framework: any runner shows the message.
 */
import { type SpecCheck, wellFormed } from '../invariants/wellFormed';
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

/**
 * The spec check an option asks for, the way the library's entry points read
 * it: unset is the kernel invariants (the command line's default), null is none.
 */
export const specCheckOption = (checkSpec: SpecCheck | null | undefined): { readonly checkSpec?: SpecCheck } =>
  checkSpec === null ? {} : { checkSpec: checkSpec ?? CHECK_DEFAULTS.checkSpec };

/** The options of `assertRefinement`: those of `checkRefinement`, every one but the seed defaulted; `checkSpec: null` checks no invariants. */
export type AssertOptions = Omit<Partial<CheckOptions>, 'checkSpec'> & Pick<CheckOptions, 'seed'> & { readonly checkSpec?: SpecCheck | null };

/** Check, and throw the rendered counterexample if there is one (or if the check did not finish). */
export const assertRefinement = async (options: AssertOptions): Promise<CheckResult> => {
  // Each default fills what is not given (an explicit undefined included): a forwarded optional never wipes one out.
  const { checkSpec, ...rest } = options;
  const opts: CheckOptions = {
    ...rest,
    runs: options.runs ?? CHECK_DEFAULTS.runs,
    steps: options.steps ?? CHECK_DEFAULTS.steps,
    fastpath: options.fastpath ?? CHECK_DEFAULTS.fastpath,
    ...specCheckOption(checkSpec),
  };
  const result = await checkRefinement(opts);
  const c = result.counterexample;
  if (c !== undefined) {
    const lines = [counterexampleHeadline(c, result, false)];
    printRun({ line: (l) => lines.push(l), json: () => undefined }, c.events, c.outcomes, c.failure, c.options);
    throw new RefinementError(lines.join('\n'), result);
  }
  const planned = opts.slice?.count ?? opts.runs;
  if (!result.ok || result.interrupted || result.runs < planned)
    throw new RefinementError(`the check was ${result.interrupted ? 'interrupted' : 'stopped'} after ${result.runs} of ${planned} runs, without a verdict`, result);
  return result;
};
