/**
 * Mutation hunting: run the default check against one deliberately broken
 * kernel and report whether it was caught, after how many runs and how long,
 * and how short its counterexample shrank. This is how every checker is shown
 * to bite (test/mutants/, `sel4-spec mutants --hunt`).
 */
import type { Mutant } from './mutants';
import { wellFormed } from '../invariants/wellFormed';
import { type CheckOptions, type CheckResult, type Counterexample, checkRefinement, runEvents } from '../refinement/check';

/**
 * `caught`: a counterexample that fails again on replay with the mutant and
 * passes without it; `unreplayable`: a failure was found but its trace does
 * not show the bug alone (a bug of the checker, not a catch); `survived`: no
 * failure in all the runs; `interrupted`: stopped before it could say.
 */
export type HuntVerdict = 'caught' | 'unreplayable' | 'survived' | 'interrupted';

export interface Hunt {
  readonly mutant: Mutant;
  readonly verdict: HuntVerdict;
  /** The verdict is `caught`. */
  readonly caught: boolean;
  /** Runs until the first failing trace (all runs if it survived). */
  readonly runs: number;
  /** Wall-clock seconds until the first failing trace was found (all runs if it survived). */
  readonly secondsToCatch: number;
  /** Wall-clock seconds spent shrinking it. */
  readonly secondsShrinking: number;
  /** Events in the shrunk counterexample, and in the trace first found. */
  readonly shrunkLength?: number;
  readonly originalLength?: number;
  /** The shrunk trace fails again on replay with the mutant and passes without it. */
  readonly replays?: boolean;
  /** The counterexample, to save (the check's full result has it too). */
  readonly counterexample?: Counterexample;
  readonly result: CheckResult;
}

export const hunt = async (m: Mutant, base: Pick<CheckOptions, 'seed' | 'runs' | 'steps' | 'signal' | 'onRun' | 'onShrink'>): Promise<Hunt> => {
  // The default check: invariants on, the fastpath both on and off, so fastpath mutants are in reach too.
  const opts: CheckOptions = { ...base, mutants: [m.name], fastpath: 'both', checkSpec: wellFormed };
  const r = await checkRefinement(opts);
  const timing = { secondsToCatch: r.timing.exploreSeconds, secondsShrinking: r.timing.shrinkSeconds };
  const c = r.counterexample;
  if (c === undefined) {
    const verdict = r.interrupted ? 'interrupted' : 'survived';
    return { mutant: m, verdict, caught: false, runs: r.runs, ...timing, result: r };
  }
  const replays = c.reproduces && runEvents(c.events, { config: r.config, fastpath: 'both', checkSpec: wellFormed }).failure === undefined;
  const verdict = replays ? 'caught' : 'unreplayable';
  return {
    mutant: m,
    verdict,
    caught: replays,
    runs: r.runs,
    ...timing,
    shrunkLength: c.events.length,
    originalLength: c.originalLength,
    replays,
    counterexample: c,
    result: r,
  };
};
