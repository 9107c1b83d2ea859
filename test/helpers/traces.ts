/** The traces a check generates, as tests that follow the spec or a kernel through them need them. */
import fc from 'fast-check';
import type { Event } from '../../spec/api';
import { tracePlanArbitrary } from '../../properties/arbitraries/plan';
import { CHECK_BOOT_CONFIG, runPlans } from '../../refinement/check';
import { bootState, step } from '../../spec/kernel';
import type { KernelState } from '../../spec/model/state';

/** The event traces a check with this seed runs (resolved against the spec), cut where a mutant's kernel first parts from it. */
export const generatedTraces = (seed: number, runs: number, steps: number, mutants: readonly string[] = []): Event[][] =>
  fc.sample(tracePlanArbitrary(steps), { seed, numRuns: runs }).map((plans) => runPlans(plans, { config: CHECK_BOOT_CONFIG, mutants, fastpath: 'off' }).events);

/** Every spec state of those traces, from the boot state on, one list per trace. */
export const generatedSpecStates = (seed: number, runs: number, steps: number): KernelState[][] =>
  generatedTraces(seed, runs, steps).map((events) => {
    const states = [bootState(CHECK_BOOT_CONFIG)];
    for (const e of events) states.push(step(states[states.length - 1] as KernelState, e).state);
    return states;
  });
