/**
 * Mutation hunting: run the default check against one deliberately broken
 * kernel and report whether it was caught, after how many runs and how long,
 * and how short its counterexample shrank. This is how every checker is shown
 * to bite (test/mutants.test.ts, `sel4-spec mutants --hunt`).
 */
import { performance } from 'node:perf_hooks';
import type { Mutant } from '../impl/mutants';
import { runTrace } from '../refinement/run';
import { wellFormed } from '../invariants/wellFormed';
import { type CheckOptions, checkRefinement } from './refinement';

export interface Hunt {
  readonly mutant: Mutant;
  readonly caught: boolean;
  /** Runs until the first failing trace (all runs if it survived). */
  readonly runs: number;
  /** Wall-clock time to catch, shrinking included. */
  readonly seconds: number;
  /** Events in the shrunk counterexample, and in the trace first found. */
  readonly shrunkLength?: number;
  readonly originalLength?: number;
  /** The shrunk trace fails again on replay with the mutant and passes without it. */
  readonly replays?: boolean;
}

export const hunt = (m: Mutant, base: Pick<CheckOptions, 'seed' | 'runs' | 'steps'>): Hunt => {
  // The default check: invariants on, the fastpath both on and off, so fastpath mutants are in reach too.
  const opts: CheckOptions = { ...base, mutants: [m.name], fastpath: 'both', checkSpec: wellFormed };
  const t0 = performance.now();
  const r = checkRefinement(opts);
  const seconds = (performance.now() - t0) / 1000;
  const c = r.counterexample;
  if (r.ok || c === undefined) return { mutant: m, caught: false, runs: r.runs, seconds };
  const replays = c.reproduces && runTrace(c.events, { config: r.config, fastpath: 'both', checkSpec: wellFormed }).failure === undefined;
  return { mutant: m, caught: true, runs: r.runs, seconds, shrunkLength: c.events.length, originalLength: c.originalLength, replays };
};
