import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Event } from '../../spec/api';
import { boot, step } from '../../impl/kernel';
import { KernelBug } from '../../impl/model/memory';
import { MUTANT_NAMES, patchesOf } from '../../properties/mutants';
import { tracePlanArbitrary } from '../../properties/arbitraries/plan';
import { CHECK_BOOT_CONFIG, runPlans } from '../../refinement/check';
import { abstract } from '../../refinement/abstract';
import { AbstractImage, takeFootprint } from '../../refinement/abstract/image';
import { diff } from '../../refinement/diff';

/** Traces the check would run (resolved against the spec), cut where a mutant's kernel first parts from it. */
const traces = (seed: number, runs: number, steps: number, mutants: readonly string[] = []): Event[][] =>
  fc.sample(tracePlanArbitrary(steps), { seed, numRuns: runs }).map((plans) => runPlans(plans, { config: CHECK_BOOT_CONFIG, mutants, fastpath: 'off' }).events);

/**
 * The incremental image's claim, checked step by step: after every event it
 * equals the abstraction built from all of memory, and it finds a broken
 * representation exactly when the whole abstraction does.
 */
const imageFollowsWhole = (events: readonly Event[], mutants: readonly string[], fastpath: boolean): number => {
  const k = boot(CHECK_BOOT_CONFIG, patchesOf(mutants), { fastpath });
  takeFootprint(k);
  const image = new AbstractImage(k);
  let compared = 0;
  for (const [i, e] of events.entries()) {
    try {
      step(k, e);
    } catch (x) {
      if (x instanceof KernelBug) break;
      throw x;
    }
    const update = image.update(k, takeFootprint(k));
    const whole = abstract(k);
    const where = `step ${i + 1} (${e.kind}) of a trace, mutants [${mutants.join(', ')}], fastpath ${fastpath}`;
    expect(diff(whole.state, image.state), where).toEqual([]);
    expect(update.violations.length > 0, `${where}: ${JSON.stringify(whole.violations.slice(0, 3))}`).toBe(whole.violations.length > 0);
    compared++;
    // Past a broken representation the check has stopped: nothing more to claim.
    if (whole.violations.length > 0) break;
  }
  return compared;
};

describe('refinement/abstract/image (the incremental abstraction)', () => {
  it('equals the whole abstraction after every event of generated traces, with the fastpath off and on', () => {
    let compared = 0;
    for (const t of traces(11, 10, 120)) for (const fastpath of [false, true]) compared += imageFollowsWhole(t, [], fastpath);
    expect(compared).toBeGreaterThan(1200);
  }, 120_000);

  it.each(MUTANT_NAMES)(
    'equals the whole abstraction on a kernel with mutant %s, on its own traces and on clean ones',
    (m) => {
      const own = traces(5, 1, 60, [m]);
      const clean = traces(7, 1, 60);
      let compared = 0;
      for (const t of [...own, ...clean]) compared += imageFollowsWhole(t, [m], m.startsWith('fastpath'));
      expect(compared).toBeGreaterThan(0);
    },
    60_000,
  );
});
